import { readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Worker } from "node:worker_threads";

/**
 * A freshly initialised PGlite data directory as a tarball. PGlite's first start runs `initdb` synchronously for
 * about five seconds, which would stall every request of the emulator; a worker thread builds the tarball instead,
 * once per PGlite version: it is kept in the OS temp directory (written to a temp name, then renamed), so later
 * emulator processes start new instances from it directly (`loadDataDir`).
 */
let template: Promise<Blob> | undefined;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { PGlite } = require(workerData.pglite);
  const db = await PGlite.create();
  const tar = await db.dumpDataDir("none");
  const buf = await tar.arrayBuffer();
  await db.close();
  parentPort.postMessage({ buf }, [buf]);
})().catch((e) => parentPort.postMessage({ error: String(e && e.message || e) }));
`;

/** Tarballs smaller than this are not a data directory (a torn or foreign file): rebuild. */
const MIN_SIZE = 1024 * 1024;

const build = (pglite: string): Promise<ArrayBuffer> =>
  new Promise<ArrayBuffer>((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { pglite } });
    worker.once("message", (m: { buf?: ArrayBuffer; error?: string }) => {
      if (m.buf) resolve(m.buf);
      else reject(new Error(`PGlite initdb failed: ${m.error ?? "unknown error"}`));
      void worker.terminate();
    });
    worker.once("error", reject);
  });

export const pgTemplate = (): Promise<Blob> => {
  template ??= (async () => {
    const require = createRequire(import.meta.url);
    const pglite = require.resolve("@electric-sql/pglite");
    // `package.json` is not in pglite's exports: read it next to the resolved entry (dist/..).
    const pkg = JSON.parse(await readFile(join(dirname(pglite), "..", "package.json"), "utf8")) as {
      version?: string;
    };
    const version = pkg.version ?? "unknown";
    const file = join(tmpdir(), `databricks-emulator-pglite-${version}-initdb.tar`);
    const cached = await readFile(file).catch(() => undefined);
    if (cached && cached.length >= MIN_SIZE) return new Blob([cached]);
    const buf = await build(pglite);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    // Best effort: without a writable temp directory every process builds its own.
    await writeFile(tmp, new Uint8Array(buf))
      .then(() => rename(tmp, file))
      .catch(() => undefined);
    return new Blob([buf]);
  })();
  template.catch(() => {
    template = undefined;
  });
  return template;
};
