/**
 * Seed step 3: embeddings from the pre-provisioned `databricks-bge-large-en` foundation model endpoint
 * (no endpoint to create). Offline the emulator's embedding engine answers with deterministic 1024-dim vectors.
 *
 * Run on its own: npx tsx examples/03_embeddings.ts
 */
import { DatabricksEmbeddings, NotFoundError } from "langchain-databricks";
import { code, heading, info, output, skip } from "./lib/print.js";
import { isMain, runStandalone, type Workspace } from "./lib/workspace.js";

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export async function embeddings(_ws: Workspace): Promise<void> {
  heading("3. Serving endpoint with a foundation model: databricks-bge-large-en embeddings");
  const endpoint = process.env.QUICKSTART_EMBEDDINGS_ENDPOINT || "databricks-bge-large-en";
  code(
    `const embeddings = new DatabricksEmbeddings({ endpoint: "${endpoint}" })`,
    `(await embeddings.embedQuery("hello")).slice(0, 3)`,
  );
  const model = new DatabricksEmbeddings({ endpoint });
  try {
    const hello = await model.embedQuery("hello");
    output(hello.slice(0, 3));
    // Beyond the seed: similar texts score higher than unrelated ones.
    code(`await embeddings.embedDocuments(["hello there", "quarterly tax report"])`);
    const [near, far] = await model.embedDocuments(["hello there", "quarterly tax report"]);
    info(
      `${hello.length} dimensions; cosine(hello, "hello there") = ${cosine(hello, near ?? []).toFixed(3)}, ` +
        `cosine(hello, "quarterly tax report") = ${cosine(hello, far ?? []).toFixed(3)}`,
    );
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    skip(`this workspace has no ${endpoint} endpoint (set QUICKSTART_EMBEDDINGS_ENDPOINT to use another).`);
  }
}

if (isMain(import.meta.url)) {
  await runStandalone(embeddings);
}
