/**
 * Seed step 5: a cluster driver proxy app. `serveDriverProxyApp` is the TypeScript twin of the seed's Flask
 * app (POST / with {prompt, stop?} returns a JSON string); the `Databricks` LLM reaches it through the
 * workspace at /driver-proxy-api/o/0/<clusterId>/<port>.
 *
 * Offline the app serves `lib/dolly.ts` on port 7777 (DRIVER_PROXY_PORT; 0 = any free port) on loopback and the
 * emulator forwards to it, its default cluster standing in for the notebook's cluster (DB_CLUSTER_ID).
 * On a real workspace the app must run on the cluster's driver: set DATABRICKS_CLUSTER_ID and DRIVER_PROXY_PORT
 * to query it, otherwise the step is skipped.
 *
 * Run on its own: npx tsx examples/05_driver_proxy.ts
 */
import { Databricks, serveDriverProxyApp } from "langchain-databricks";
import { dolly } from "./lib/dolly.js";
import { code, heading, info, output, skip } from "./lib/print.js";
import { isMain, runStandalone, type Workspace } from "./lib/workspace.js";

/** Starts the app locally (offline) and returns the port it listens on. */
async function startApp(ws: Workspace): Promise<string> {
  const wanted = Number(process.env.DRIVER_PROXY_PORT ?? 7777);
  code(`serveDriverProxyApp((prompt, stop, kwargs) => dolly(prompt, stop, kwargs), { port: ${wanted} })`);
  let app: Awaited<ReturnType<typeof serveDriverProxyApp>>;
  try {
    app = await serveDriverProxyApp(dollyApp, { port: wanted, host: "127.0.0.1" });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "EADDRINUSE") throw error;
    app = await serveDriverProxyApp(dollyApp, { port: 0, host: "127.0.0.1" });
    info(`port ${wanted} is busy: using ${app.port} instead`);
  }
  ws.defer(() => app.close());
  info(`driver proxy app listening on port ${app.port}`);
  return String(app.port);
}

function dollyApp(prompt: string, stop?: string[], kwargs: Record<string, unknown> = {}): string {
  return dolly(prompt, stop, kwargs);
}

export async function driverProxy(ws: Workspace): Promise<void> {
  heading("5. Cluster driver proxy app");
  let port: string;
  let clusterId: string | undefined;
  if (ws.offline) {
    port = await startApp(ws);
    clusterId = process.env.DB_CLUSTER_ID;
  } else {
    clusterId = process.env.DATABRICKS_CLUSTER_ID || process.env.DB_CLUSTER_ID;
    if (!clusterId || !process.env.DRIVER_PROXY_PORT) {
      skip(
        "set DATABRICKS_CLUSTER_ID and DRIVER_PROXY_PORT of an app running on the cluster's driver to query it.",
      );
      return;
    }
    port = process.env.DRIVER_PROXY_PORT;
  }

  // In a notebook attached to the cluster, the cluster id is known (DB_CLUSTER_ID): only the port is needed.
  code(`const llm = new Databricks({ clusterDriverPort: "${port}" })`, `await llm.invoke("你好吗？")`);
  const llm = new Databricks({ clusterDriverPort: port });
  output(await llm.invoke("你好吗？"));

  code(
    `const remote = new Databricks({ clusterId: "${clusterId}", clusterDriverPort: "${port}" })`,
    `await remote.invoke("你好吗？")`,
  );
  const remote = new Databricks({ clusterId, clusterDriverPort: port });
  output(await remote.invoke("你好吗？"));

  code(
    `const warm = new Databricks({ clusterDriverPort: "${port}", modelKwargs: { temperature: 0.1 } })`,
    `await warm.invoke("你好吗？")`,
  );
  const warm = new Databricks({ clusterDriverPort: port, modelKwargs: { temperature: 0.1 } });
  output(await warm.invoke("你好吗？"));

  code(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: this string shows the source code that runs below
    "const transformInput = (request) => ({ ...request, prompt: `${request.prompt}\\n    言简意赅。\\n    ` })",
    "const transformOutput = (response) => String(response).toUpperCase()",
    `const shout = new Databricks({ clusterDriverPort: "${port}", transformInputFn: transformInput, transformOutputFn: transformOutput })`,
    `await shout.invoke("你好吗？")`,
  );
  const shout = new Databricks({
    clusterDriverPort: port,
    transformInputFn: (request: Record<string, unknown>) => ({
      ...request,
      prompt: `${String(request.prompt)}\n    言简意赅。\n    `,
    }),
    transformOutputFn: (response: unknown) => String(response).toUpperCase(),
  });
  output(await shout.invoke("你好吗？"));
  // Chinese has no letter case; an English prompt shows the output transform at work.
  code(`await shout.invoke("How are you?")`);
  output(await shout.invoke("How are you?"));
}

if (isMain(import.meta.url)) {
  await runStandalone(driverProxy);
}
