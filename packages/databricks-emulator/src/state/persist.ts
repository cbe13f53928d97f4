import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-file.js";
import { lockDataDir } from "./lock.js";

const FILE = "workspace.json";
const VERSION = 1;

/**
 * Durable state for `dataDir`: the whole workspace is one JSON document, rewritten after every acknowledged
 * mutation with write-temp + fsync + rename (+ directory fsync), so a `kill -9` leaves either the old or the new
 * document, never a torn one. The state is small (endpoints, secrets, ACLs), so a full rewrite is cheap.
 */
export class Persister {
  private readonly file: string | undefined;

  /** Releases the data dir's exclusive lock (see state/lock.ts); a no-op in memory. */
  readonly release: () => void = () => {};

  constructor(
    private readonly dataDir: string | undefined,
    fileName: string = FILE,
  ) {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      // One lock per data dir, taken by the workspace document's persister; other documents live under it.
      if (fileName === FILE) this.release = lockDataDir(dataDir);
      this.file = join(dataDir, fileName);
    }
  }

  get enabled(): boolean {
    return this.file !== undefined;
  }

  load<T>(): T | undefined {
    if (!this.file) return undefined;
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
    const doc = JSON.parse(text) as { version?: number; state?: T };
    if (doc.version !== VERSION) {
      throw new Error(`${this.file} has unsupported version ${String(doc.version)}; expected ${VERSION}`);
    }
    return doc.state;
  }

  save(state: unknown): void {
    if (!this.file || !this.dataDir) return;
    // Serialize first: a state that does not serialize leaves no temp file behind.
    writeFileAtomic(this.file, JSON.stringify({ version: VERSION, state }));
  }
}
