/**
 * Seed step 1 (prerequisite of the external model): register the OpenAI API key as a secret, what
 *   databricks secrets create-scope <scope>
 *   databricks secrets put-secret <scope> openai-api-key --string-value $OPENAI_API_KEY
 * do. Offline the key is a dummy: the emulator's OpenAI-compatible route accepts any key.
 *
 * Run on its own: npx tsx examples/01_secrets.ts
 */
import { ResourceAlreadyExistsError, SecretsClient } from "langchain-databricks";
import { code, heading, info, skip } from "./lib/print.js";
import { isMain, runStandalone, type Workspace } from "./lib/workspace.js";

export const OPENAI_KEY_NAME = "openai-api-key";

/** Stores the key and returns the secret reference path (`secrets/<scope>/openai-api-key`), or undefined if skipped. */
export async function registerOpenAiKey(ws: Workspace): Promise<string | undefined> {
  heading("1. Register the OpenAI API key as a secret");
  const apiKey = process.env.OPENAI_API_KEY ?? (ws.offline ? "sk-offline-dummy-key" : undefined);
  if (!apiKey) {
    skip("OPENAI_API_KEY is not set, so there is no key to store (and no external model to create).");
    return undefined;
  }
  const scope = ws.secretScope;
  const secrets = new SecretsClient();
  code(`await new SecretsClient().createScope(${JSON.stringify(scope)})`);
  try {
    await secrets.createScope(scope);
    info(`created scope ${scope}`);
    if (!ws.offline && !process.env.QUICKSTART_KEEP) ws.defer(() => secrets.deleteScope(scope));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsError)) throw error;
    info(`scope ${scope} already exists: reusing it`);
  }
  code(`await secrets.putSecret(${JSON.stringify(scope)}, "${OPENAI_KEY_NAME}", process.env.OPENAI_API_KEY)`);
  await secrets.putSecret(scope, OPENAI_KEY_NAME, apiKey);
  info(`stored ${scope}/${OPENAI_KEY_NAME} (${ws.offline ? "a dummy key: offline" : "value not shown"})`);
  return `secrets/${scope}/${OPENAI_KEY_NAME}`;
}

if (isMain(import.meta.url)) {
  await runStandalone(async (ws) => {
    await registerOpenAiKey(ws);
  });
}
