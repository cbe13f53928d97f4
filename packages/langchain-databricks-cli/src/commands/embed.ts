import { type Command, Option } from "commander";
import { contextFor, note, parsePositiveInt } from "../context.js";
import { batches, type EmbedFormat, type EmbedRow, parseEmbedInput } from "../embed-input.js";
import { CliInterrupted, CliUsageError } from "../exit-codes.js";
import { type CliIO, type CliOutput, readAll } from "../io.js";
import { progressBar } from "../progress-bar.js";

interface EmbedOptions {
  model: string;
  out?: string;
  format: EmbedFormat;
  field: string;
  batchSize: number;
  concurrency: number;
  progress?: boolean;
}

export function registerEmbed(program: Command, io: CliIO): void {
  program
    .command("embed")
    .description(
      "Embed a file of texts (one per line, or JSONL) and write JSONL vectors " +
        '{"index", "id"?, "embedding"} in input order. Batched and concurrent; a summary goes to stderr.',
    )
    .argument("<file>", 'input file, or "-" for stdin')
    .requiredOption("-m, --model <endpoint>", "embedding endpoint, e.g. databricks-bge-large-en")
    .option("--out <file>", "write JSONL here instead of stdout")
    .addOption(
      new Option("--format <format>", "input format").choices(["auto", "lines", "jsonl"]).default("auto"),
    )
    .option("--field <name>", "JSONL field holding the text", "text")
    .addOption(
      new Option("--batch-size <n>", "texts per request")
        .argParser(parsePositiveInt("--batch-size"))
        .default(64),
    )
    .addOption(
      new Option("--concurrency <n>", "requests in flight")
        .argParser(parsePositiveInt("--concurrency"))
        .default(4),
    )
    .option("--no-progress", "no progress bar even on a terminal")
    .addHelpText(
      "after",
      "\nExamples:\n  langchain-databricks embed texts.txt -m databricks-bge-large-en --out vectors.jsonl\n  cat docs.jsonl | langchain-databricks embed - -m databricks-bge-large-en --field body",
    )
    .action(async (file: string, opts: EmbedOptions, command: Command) => {
      const ctx = contextFor(command, io);
      const content = await readInput(io, file);
      const rows = parseEmbedInput(content, opts.format, opts.field);
      const { DatabricksEmbeddings } = await import("langchain-databricks");
      const embeddings = new DatabricksEmbeddings({
        ...ctx.auth,
        endpoint: opts.model,
        batchSize: opts.batchSize,
        maxConcurrency: 1,
      });
      const sink = opts.out ? await fileSink(io, opts.out) : { out: io.stdout, close: async () => {} };
      const bar = await progressBar(io, {
        format: "embedding [{bar}] {value}/{total} {percentage}% eta {eta}s",
        total: rows.length,
        enabled: opts.progress !== false && rows.length > 0,
      });
      // Ctrl-C stops cleanly: no new batch, no further row, the bar stopped (cursor shown again), the rows
      // written so far complete and flushed, and a summary saying how far it got.
      const interrupt = new AbortController();
      const offInterrupt = io.onInterrupt(() => interrupt.abort());
      const started = performance.now();
      let dims = 0;
      let written = 0;
      try {
        await embedInOrder(
          rows,
          opts,
          (texts) => embeddings.embedDocuments(texts),
          (row, index, vector) => {
            dims = vector.length;
            sink.out.write(
              `${JSON.stringify(row.id === undefined ? { index, embedding: vector } : { index, id: row.id, embedding: vector })}\n`,
            );
            written++;
          },
          (done) => bar?.update(done),
          interrupt.signal,
        );
      } finally {
        offInterrupt();
        bar?.stop();
        await sink.close();
      }
      const seconds = (performance.now() - started) / 1000;
      if (interrupt.signal.aborted) {
        const where = opts.out ? ` to ${opts.out}` : "";
        const which = written > 0 ? ` (rows 0-${written - 1}, complete lines in input order)` : "";
        throw new CliInterrupted(
          `Interrupted after ${seconds.toFixed(2)}s: wrote ${written} of ${rows.length} rows${where}${which}.`,
        );
      }
      const rate = seconds > 0 ? Math.round(rows.length / seconds) : rows.length;
      note(io, `Embedded ${rows.length} texts (${dims} dims) in ${seconds.toFixed(2)}s: ${rate} rows/s.`);
    });
}

async function readInput(io: CliIO, file: string): Promise<string> {
  if (file === "-") return readAll(io.stdin);
  const { readFile } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  try {
    return await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CliUsageError(`embed: cannot read "${file}"${typeof code === "string" ? ` (${code})` : ""}.`);
  }
}

async function fileSink(io: CliIO, path: string): Promise<{ out: CliOutput; close: () => Promise<void> }> {
  const { createWriteStream } = await import("node:fs");
  const { resolve } = await import("node:path");
  const stream = createWriteStream(resolve(io.cwd, path));
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (e: NodeJS.ErrnoException) =>
      reject(new CliUsageError(`embed: cannot write "${path}" (${e.code ?? e.message}).`)),
    );
  });
  return {
    out: stream,
    close: () =>
      new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve()))),
  };
}

/**
 * Runs `embed` on batches with at most `concurrency` in flight and emits rows strictly in input order:
 * finished batches wait in `ready` until every earlier batch has been written. When `signal` aborts, it resolves
 * at once: no batch is started and no row is emitted after that (batches in flight are abandoned).
 */
export async function embedInOrder(
  rows: readonly EmbedRow[],
  opts: Pick<EmbedOptions, "batchSize" | "concurrency">,
  embed: (texts: string[]) => Promise<number[][]>,
  emit: (row: EmbedRow, index: number, vector: number[]) => void,
  onProgress: (done: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const chunks = batches(rows, opts.batchSize);
  const ready = new Map<number, number[][]>();
  let nextToStart = 0;
  let nextToEmit = 0;
  let done = 0;
  let failed = false;
  const stopped = () => failed || signal?.aborted === true;
  const flush = () => {
    for (let vectors = ready.get(nextToEmit); vectors && !stopped(); vectors = ready.get(nextToEmit)) {
      ready.delete(nextToEmit);
      const base = nextToEmit * opts.batchSize;
      for (const [i, vector] of vectors.entries()) emit(rows[base + i] as EmbedRow, base + i, vector);
      nextToEmit++;
    }
  };
  const worker = async () => {
    // After the first failure (or an interrupt) no worker starts a batch or writes a row.
    while (!stopped() && nextToStart < chunks.length) {
      const index = nextToStart++;
      const chunk = chunks[index] as EmbedRow[];
      let vectors: number[][];
      try {
        vectors = await embed(chunk.map((r) => r.text));
      } catch (error) {
        if (signal?.aborted) return;
        failed = true;
        throw error;
      }
      if (stopped()) return;
      if (vectors.length !== chunk.length) {
        failed = true;
        throw new Error(`embed: the endpoint returned ${vectors.length} vectors for ${chunk.length} texts.`);
      }
      ready.set(index, vectors);
      done += chunk.length;
      onProgress(done);
      flush();
    }
  };
  const all = Promise.all(Array.from({ length: Math.min(opts.concurrency, chunks.length) }, worker));
  if (!signal) {
    await all;
    return;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  all.catch(() => {}); // an abandoned batch failing after the interrupt is not an error anyone waits for
  try {
    await Promise.race([all, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
