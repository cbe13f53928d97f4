import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * A freshly initialised PGlite data directory as a tarball, built once per process in a worker thread.
 * PGlite's first start runs `initdb` synchronously for about five seconds, which would stall every request of the
 * emulator; a worker builds it instead and each new instance starts from the tarball (`loadDataDir`).
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

export const pgTemplate = (): Promise<Blob> => {
  template ??= new Promise<Blob>((resolve, reject) => {
    const pglite = createRequire(import.meta.url).resolve("@electric-sql/pglite");
    const worker = new Worker(WORKER, { eval: true, workerData: { pglite } });
    worker.once("message", (m: { buf?: ArrayBuffer; error?: string }) => {
      if (m.buf) resolve(new Blob([m.buf]));
      else reject(new Error(`PGlite initdb failed: ${m.error ?? "unknown error"}`));
      void worker.terminate();
    });
    worker.once("error", reject);
  });
  template.catch(() => {
    template = undefined;
  });
  return template;
};
