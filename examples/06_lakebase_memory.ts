/**
 * Agent memory on Lakebase: a `createAgent` conversation whose thread survives a process restart. Each run is one
 * turn; the second process continues from the checkpoint the first one wrote.
 *
 *   npx tsx examples/06_lakebase_memory.ts "My name is Ada."
 *   npx tsx examples/06_lakebase_memory.ts "What did I tell you?"     # a new process: the thread has 4 messages
 *
 * With DATABRICKS_HOST set it uses that workspace's Lakebase instance LAKEBASE_INSTANCE (default `agent-memory`,
 * created when missing). Offline it starts an embedded emulator whose state (the instance's database included)
 * lives in LAKEBASE_EXAMPLE_DATA_DIR (default `.emulator-data/lakebase-example`), so the next process finds it.
 */
import { createAgent } from "langchain";
import { ChatDatabricks, DatabricksHttpClient, ResourceAlreadyExistsError } from "langchain-databricks";
import { LakebaseCheckpointSaver } from "langchain-databricks/lakebase";

const CHAT = "databricks-meta-llama-3-3-70b-instruct";
const instanceName = process.env.LAKEBASE_INSTANCE ?? "agent-memory";
const threadId = process.env.LAKEBASE_THREAD ?? "example-thread";
const message = process.argv[2] ?? "Hello!";

let close = async () => {};
if (!process.env.DATABRICKS_HOST) {
  const { startEmulator } = await import("databricks-emulator");
  const emulator = await startEmulator({
    dataDir: process.env.LAKEBASE_EXAMPLE_DATA_DIR ?? ".emulator-data/lakebase-example",
    foundationModels: [CHAT],
  });
  process.env.DATABRICKS_HOST = emulator.url;
  process.env.DATABRICKS_TOKEN = emulator.token;
  close = () => emulator.close();
}

const http = new DatabricksHttpClient();
try {
  await http.request({ method: "POST", path: "/api/2.0/database/instances", body: { name: instanceName } });
  console.log(`created Lakebase instance ${instanceName}`);
} catch (error) {
  if (!(error instanceof ResourceAlreadyExistsError)) throw error;
}

const checkpointer = new LakebaseCheckpointSaver({ instanceName, httpClient: http });
try {
  await checkpointer.setup();
  const agent = createAgent({
    model: new ChatDatabricks({ model: CHAT, client: http }),
    tools: [],
    checkpointer,
  });
  const config = { configurable: { thread_id: threadId } };
  const before = (await checkpointer.getTuple(config)) ? "continuing" : "starting";
  console.log(`${before} thread ${threadId}`);
  const result = await agent.invoke({ messages: [{ role: "user", content: message }] }, config);
  console.log(`thread ${threadId} now has ${result.messages.length} messages`);
  console.log(`assistant: ${String(result.messages.at(-1)?.content).slice(0, 80)}`);
} finally {
  await checkpointer.end();
  await close();
}
