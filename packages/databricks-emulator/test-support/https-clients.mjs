/**
 * Runs two unmodified clients that force `https://<host>` (no port: 443) against the emulator, configured only
 * through the environment a user would set: DATABRICKS_HOST, DATABRICKS_TOKEN and NODE_EXTRA_CA_CERTS (read by
 * Node at process start, hence a child process). Prints one JSON line with what each client got back.
 * Usage: node https-clients.mjs <chat endpoint name>
 */
import { ChatDatabricks } from "@databricks/langchainjs";
import { WorkspaceClient } from "@databricks/sdk-experimental";

const endpoint = process.argv[2];
const w = new WorkspaceClient({});
const me = await w.currentUser.me();
const names = [];
for await (const e of w.servingEndpoints.list()) names.push(e.name);
const chat = new ChatDatabricks({ model: endpoint });
const reply = await chat.invoke('Say "hello over tls"');
console.log(
  JSON.stringify({ me: me.userName, hasEndpoint: names.includes(endpoint), content: reply.content }),
);
