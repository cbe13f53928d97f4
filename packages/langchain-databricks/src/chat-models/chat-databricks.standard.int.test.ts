import { useEmulator } from "../../test-support/emulator.js";
import { runChatModelIntegrationStandardTests } from "../../test-support/standard-int.js";
import { ChatDatabricks } from "./chat-databricks.js";
import type { ChatDatabricksInput } from "./types.js";

const h = useEmulator();

const maker =
  (model: string) =>
  (extra: Partial<ChatDatabricksInput> = {}) =>
    new ChatDatabricks({ model, host: h.emu.url, token: h.emu.token, maxRetries: 0, ...extra });

runChatModelIntegrationStandardTests(
  "ChatDatabricks standard integration (Llama)",
  maker("databricks-meta-llama-3-3-70b-instruct"),
  {
    supportsParallelToolCalls: true,
  },
);
runChatModelIntegrationStandardTests(
  "ChatDatabricks standard integration (Claude)",
  maker("databricks-claude-sonnet-4-5"),
  {
    supportsParallelToolCalls: true,
  },
);
runChatModelIntegrationStandardTests(
  "ChatDatabricks standard integration (GPT OSS)",
  maker("databricks-gpt-oss-120b"),
  {
    supportsParallelToolCalls: true,
  },
);
