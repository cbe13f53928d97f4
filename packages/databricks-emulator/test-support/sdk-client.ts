/**
 * Builds an unchanged `@databricks/sdk-experimental` WorkspaceClient that talks to a loopback emulator.
 *
 * Two adjustments are configuration, not patches: (1) the SDK's `fixHost()` normalises every host to
 * `https://<hostname>` and drops the port (real workspaces are always HTTPS on 443), so after resolving the
 * config we point `host` back at the emulator's `http://127.0.0.1:<port>`; (2) the SDK defaults to an
 * `https.Agent`, which Node refuses for `http:` URLs, so we pass a plain keep-alive-free `http.Agent` through
 * the documented `ClientOptions.agent`. Everything else (auth, retries, waiters, parsing) is the SDK's own code.
 * docs/emulator.md ("Official clients") and the package README show users the same shim; keep them in step.
 */
import { Agent } from "node:http";
import type { Agent as HttpsAgent } from "node:https";
import { Config, WorkspaceClient } from "@databricks/sdk-experimental";

export type SdkAuth = { token: string } | { clientId: string; clientSecret: string };

export async function sdkClient(url: string, auth: SdkAuth): Promise<WorkspaceClient> {
  const base = url.replace(/\/$/, "");
  const config = new Config({
    host: base,
    ...("token" in auth
      ? { token: auth.token, authType: "pat" as const }
      : { clientId: auth.clientId, clientSecret: auth.clientSecret, authType: "oauth-m2m" as const }),
    // Never pick up a developer's DATABRICKS_* variables or ~/.databrickscfg.
    env: {},
    loaders: [],
    retryTimeoutSeconds: 20,
  });
  await config.ensureResolved();
  config.host = base;
  const agent = new Agent({ keepAlive: false }) as unknown as HttpsAgent;
  return new WorkspaceClient(config, { agent, product: "emulator-interop", productVersion: "0.0.0" });
}
