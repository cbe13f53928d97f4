import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";

const FILE = "workspace.json";
const VERSION = 1;

/**
 * Durable state for `dataDir`: the whole workspace is one JSON document, rewritten after every acknowledged
 * mutation with write-temp + fsync + rename (+ directory fsync), so a `kill -9` leaves either the old or the new
 * document, never a torn one. The state is small (endpoints, secrets, ACLs), so a full rewrite is cheap.
 */
export class Persister {
  private readonly file: string | undefined;

  constructor(
    private readonly dataDir: string | undefined,
    fileName: string = FILE,
  ) {
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
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
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify({ version: VERSION, state }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    try {
      const dir = openSync(this.dataDir, "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Directory fsync is not supported on every platform; the rename itself is still atomic.
    }
  }
}
