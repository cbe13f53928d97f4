import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../state/atomic-file.js";
import { creatorAcl } from "./endpoint-acl.js";
import type { RowValues } from "./filters.js";
import type { VectorSearchStore, VsEndpoint, VsIndexMeta } from "./store.js";

const VERSION = 1;
const MAGIC = "VSIX1";

interface MetaDoc {
  version: number;
  endpoints: VsEndpoint[];
  indexes: VsIndexMeta[];
}

const atomicWrite = (dir: string, file: string, chunks: (string | Uint8Array)[]): void =>
  writeFileAtomic(join(dir, file), chunks);

const dataFile = (indexName: string) => `index-${Buffer.from(indexName).toString("hex")}.bin`;

/**
 * Vector Search's own files under `--data-dir`/vector-search: `meta.json` (endpoints, index definitions, grants)
 * and one binary file per index (a JSON header with keys and values, then the vectors as little-endian float32).
 * Every file is written temp + fsync + rename before the request is acknowledged, so `kill -9` leaves the old or
 * the new version, never a torn one.
 */
export class VectorSearchPersister {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "vector-search");
    mkdirSync(this.dir, { recursive: true });
  }

  save(store: VectorSearchStore, changedIndex?: string): void {
    if (changedIndex !== undefined) {
      const meta = store.indexes.get(changedIndex);
      if (meta) this.saveIndex(store, meta);
      else rmSync(join(this.dir, dataFile(changedIndex)), { force: true });
    }
    const doc: MetaDoc = {
      version: VERSION,
      endpoints: [...store.endpoints.values()],
      indexes: [...store.indexes.values()],
    };
    atomicWrite(this.dir, "meta.json", [JSON.stringify(doc)]);
  }

  private saveIndex(store: VectorSearchStore, meta: VsIndexMeta): void {
    const data = store.dataOf(meta);
    const header = JSON.stringify({ dim: data.matrix.dim, rows: data.rows.map((r) => [r.key, r.values]) });
    const vec = data.matrix.data.subarray(0, data.size * data.matrix.dim);
    const head = Buffer.from(header);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(head.length);
    atomicWrite(this.dir, dataFile(meta.name), [
      MAGIC,
      len,
      head,
      new Uint8Array(vec.buffer, vec.byteOffset, vec.byteLength),
    ]);
  }

  load(store: VectorSearchStore): void {
    let text: string;
    try {
      text = readFileSync(join(this.dir, "meta.json"), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw e;
    }
    const doc = JSON.parse(text) as MetaDoc;
    if (doc.version !== VERSION)
      throw new Error(`vector-search/meta.json has unsupported version ${doc.version}`);
    // Files written before endpoint permissions existed: the creator manages the endpoint.
    for (const ep of doc.endpoints)
      store.endpoints.set(ep.name, { ...ep, acl: ep.acl ?? creatorAcl({ kind: "user", name: ep.creator }) });
    for (const meta of doc.indexes) {
      const data = store.register(meta);
      let buf: Buffer;
      try {
        buf = readFileSync(join(this.dir, dataFile(meta.name)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw e;
      }
      if (buf.subarray(0, MAGIC.length).toString() !== MAGIC)
        throw new Error(`bad data file for index ${meta.name}`);
      const hlen = buf.readUInt32LE(MAGIC.length);
      const start = MAGIC.length + 4;
      const header = JSON.parse(buf.subarray(start, start + hlen).toString("utf8")) as {
        dim: number;
        rows: [string, RowValues][];
      };
      const vecBytes = buf.subarray(start + hlen);
      const vectors = new Float32Array(
        vecBytes.buffer.slice(vecBytes.byteOffset, vecBytes.byteOffset + vecBytes.byteLength),
      );
      header.rows.forEach(([key, values], i) => {
        data.upsert(key, values, vectors.subarray(i * header.dim, (i + 1) * header.dim));
      });
    }
  }
}
