/**
 * Seed step 2: create the `my-chat` serving endpoint (an external OpenAI `gpt-4` model whose key is the secret
 * from step 1), wait until it is READY, and ask `ChatDatabricks` to answer "hello".
 * The config is the seed's, exactly (no `openai_api_base`). Offline, the emulator sends external models without a
 * provider base URL to its own local OpenAI-compatible route, so nothing leaves the machine (start it with
 * `--allow-external-network` to reach the real OpenAI).
 *
 * Run on its own: npx tsx examples/02_external_chat.ts
 */
import { HumanMessage } from "@langchain/core/messages";
import {
  ChatDatabricks,
  getDeployClient,
  ResourceAlreadyExistsError,
  ServingEndpointsClient,
} from "langchain-databricks";
import { registerOpenAiKey } from "./01_secrets.js";
import { code, heading, info, repr, skip } from "./lib/print.js";
import { isMain, runStandalone, type Workspace } from "./lib/workspace.js";

export async function externalChat(ws: Workspace, secret: string | undefined): Promise<void> {
  heading("2. Serving endpoint with an external model: my-chat (gpt-4 via OpenAI)");
  if (!secret) {
    skip("no OpenAI key secret (step 1 was skipped), so my-chat cannot be created.");
    return;
  }
  const client = getDeployClient("databricks");
  const name = process.env.QUICKSTART_CHAT_ENDPOINT || "my-chat"; // rename if my-chat already exists
  code(
    `client.createEndpoint({ name: "${name}", config: { served_entities: [{ external_model: { name: "gpt-4", ... } }] } })`,
  );
  try {
    await client.createEndpoint({
      name,
      config: {
        served_entities: [
          {
            name: "my-chat",
            external_model: {
              name: "gpt-4",
              provider: "openai",
              task: "llm/v1/chat",
              openai_config: {
                openai_api_key: `{{${secret}}}`,
              },
            },
          },
        ],
      },
    });
    if (!ws.offline && !process.env.QUICKSTART_KEEP) ws.defer(() => client.deleteEndpoint(name));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsError)) throw error;
    info(`endpoint ${name} already exists: using it`);
  }
  const started = Date.now();
  const ready = await new ServingEndpointsClient().waitForReady(name, {
    timeout: 600_000,
    pollIntervalMs: 250,
  });
  info(`${name} is ${ready.state?.ready ?? "READY"} after ${((Date.now() - started) / 1000).toFixed(1)}s`);

  code(
    `const chat = new ChatDatabricks({ model: "${name}", temperature: 0.1 })`,
    `await chat.invoke([new HumanMessage("hello")])`,
  );
  const chat = new ChatDatabricks({ model: name, temperature: 0.1 });
  const answer = await chat.invoke([new HumanMessage("hello")]);
  console.log(
    `content=${repr(typeof answer.content === "string" ? answer.content : JSON.stringify(answer.content))}`,
  );
}

if (isMain(import.meta.url)) {
  await runStandalone(async (ws) => {
    await externalChat(ws, await registerOpenAiKey(ws));
  });
}
