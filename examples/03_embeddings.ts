/**
 * Seed step 3: embeddings from the pre-provisioned `databricks-bge-large-en` foundation model endpoint
 * (no endpoint to create). Offline the emulator's embedding engine answers with deterministic 1024-dim vectors.
 *
 * Run on its own: npx tsx examples/03_embeddings.ts
 */
import { DatabricksEmbeddings, NotFoundError } from "langchain-databricks";
import { code, heading, output, skip } from "./lib/print.js";
import { isMain, runStandalone, type Workspace } from "./lib/workspace.js";

export async function embeddings(_ws: Workspace): Promise<void> {
  heading("3. Serving endpoint with a foundation model: databricks-bge-large-en embeddings");
  const endpoint = process.env.QUICKSTART_EMBEDDINGS_ENDPOINT || "databricks-bge-large-en";
  code(
    `const embeddings = new DatabricksEmbeddings({ endpoint: "${endpoint}" })`,
    `(await embeddings.embedQuery("hello")).slice(0, 3)`,
  );
  const model = new DatabricksEmbeddings({ endpoint });
  try {
    output((await model.embedQuery("hello")).slice(0, 3));
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    skip(`this workspace has no ${endpoint} endpoint (set QUICKSTART_EMBEDDINGS_ENDPOINT to use another).`);
  }
}

if (isMain(import.meta.url)) {
  await runStandalone(embeddings);
}
