/**
 * Seed step 4: the `Databricks` LLM on a custom model endpoint, `dolly`, whose MLflow signature is
 * input `prompt` (string) + `stop` (list[string]), output a string. Offline the quickstart registers
 * `lib/dolly.ts` with the emulator and creates the endpoint; on a real workspace it must already exist
 * (name from QUICKSTART_DOLLY_ENDPOINT, default `dolly`) or the step is skipped.
 *
 * Run on its own: npx tsx examples/04_custom_model.ts
 */
import { Databricks, getDeployClient, NotFoundError, ServingEndpointsClient } from "langchain-databricks";
import { code, heading, info, output, skip } from "./lib/print.js";
import { isMain, runStandalone, type Workspace } from "./lib/workspace.js";

/** Makes sure the endpoint exists and is ready; false when it cannot (real workspace without it). */
async function ensureDolly(ws: Workspace, name: string): Promise<boolean> {
  const client = getDeployClient("databricks");
  if (ws.offline) {
    code(
      `client.createEndpoint({ name: "${name}", config: { served_entities: [{ entity_name: "dolly", entity_version: "1", ... }] } })`,
    );
    await client.createEndpoint({
      name,
      config: {
        served_entities: [
          { entity_name: "dolly", entity_version: "1", workload_size: "Small", scale_to_zero_enabled: true },
        ],
      },
    });
  } else {
    try {
      await client.getEndpoint(name);
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }
  await new ServingEndpointsClient().waitForReady(name, { timeout: 600_000, pollIntervalMs: 250 });
  info(`${name} is READY`);
  return true;
}

export async function customModel(ws: Workspace): Promise<void> {
  heading("4. Serving endpoint with a custom model: dolly");
  const name = process.env.QUICKSTART_DOLLY_ENDPOINT || "dolly";
  if (!(await ensureDolly(ws, name))) {
    skip(
      `this workspace has no "${name}" endpoint (deploy an LLM with the prompt/stop signature, or set QUICKSTART_DOLLY_ENDPOINT).`,
    );
    return;
  }

  code(`const llm = new Databricks({ endpointName: "${name}" })`, `await llm.invoke("How are you?")`);
  const llm = new Databricks({ endpointName: name });
  output(await llm.invoke("How are you?"));

  code(`await llm.invoke("How are you?", { stop: ["."] })`);
  output(await llm.invoke("How are you?", { stop: ["."] }));

  // Explicit host and token instead of DATABRICKS_HOST / DATABRICKS_TOKEN (keep tokens out of source code:
  // read them from a secret store or the environment, as here).
  if (ws.auth.host && ws.auth.token) {
    code(
      `const explicit = new Databricks({ host, apiToken, endpointName: "${name}" })`,
      `await explicit.invoke("How are you?")`,
    );
    const explicit = new Databricks({ host: ws.auth.host, apiToken: ws.auth.token, endpointName: name });
    output(await explicit.invoke("How are you?"));
  } else {
    skip("explicit host + apiToken variant: no DATABRICKS_TOKEN (authenticated another way).");
  }

  code(
    `const warm = new Databricks({ endpointName: "${name}", modelKwargs: { temperature: 0.1 } })`,
    `await warm.invoke("How are you?")`,
  );
  const warm = new Databricks({ endpointName: name, modelKwargs: { temperature: 0.1 } });
  output(await warm.invoke("How are you?"));

  code(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: this string shows the source code that runs below
    "const transformInput = (request) => ({ ...request, prompt: `${request.prompt}\\n    Be Concise.\\n    ` })",
    `const concise = new Databricks({ endpointName: "${name}", transformInputFn: transformInput })`,
    `await concise.invoke("How are you?")`,
  );
  const concise = new Databricks({
    endpointName: name,
    transformInputFn: (request: Record<string, unknown>) => ({
      ...request,
      prompt: `${String(request.prompt)}\n    Be Concise.\n    `,
    }),
  });
  output(await concise.invoke("How are you?"));
}

if (isMain(import.meta.url)) {
  await runStandalone(customModel);
}
