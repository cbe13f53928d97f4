/**
 * The seed walkthrough end to end (`npm start`). Without DATABRICKS_HOST it starts the embedded emulator and
 * runs offline; with DATABRICKS_HOST (or DATABRICKS_CONFIG_PROFILE) and credentials it runs the same code
 * against that workspace, skipping the steps whose prerequisites are missing and saying so.
 */
import { PACKAGE_VERSION } from "langchain-databricks";
import { registerOpenAiKey } from "./01_secrets.js";
import { externalChat } from "./02_external_chat.js";
import { embeddings } from "./03_embeddings.js";
import { customModel } from "./04_custom_model.js";
import { driverProxy } from "./05_driver_proxy.js";
import { openWorkspace } from "./lib/workspace.js";

const started = Date.now();
const ws = await openWorkspace();
console.log(`langchain-databricks ${PACKAGE_VERSION} quickstart: running on ${ws.where}`);
if (ws.offline)
  console.log("(set DATABRICKS_HOST and DATABRICKS_TOKEN to run the same steps on a real workspace)");
try {
  const secret = await registerOpenAiKey(ws);
  await externalChat(ws, secret);
  await embeddings(ws);
  await customModel(ws);
  await driverProxy(ws);
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
} catch (error) {
  console.error(`\nError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
} finally {
  await ws.close();
}
