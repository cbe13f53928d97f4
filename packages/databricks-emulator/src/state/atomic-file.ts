import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Replaces `path` with `chunks` so that a `kill -9` at any moment leaves the old file or the new one, never a torn
 * one: write a temp file beside it (mode 0600), fsync it, rename it over `path`, then fsync the directory so the
 * rename itself survives a crash. A failure removes the temp file and propagates (the caller rolls back).
 */
export const writeFileAtomic = (path: string, chunks: string | readonly (string | Uint8Array)[]): void => {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, "w", 0o600);
    try {
      for (const chunk of typeof chunks === "string" ? [chunks] : chunks) {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        let offset = 0;
        while (offset < bytes.byteLength) offset += writeSync(fd, bytes, offset, bytes.byteLength - offset);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dir = openSync(dirname(path), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Directory fsync is not supported on every platform; the rename itself is still atomic.
  }
};
