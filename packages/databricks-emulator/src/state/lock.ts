import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

const LOCK = "emulator.lock";
/** Data dirs locked by this process (a second emulator in the same process is refused too). */
const heldHere = new Set<string>();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

const holderOf = (file: string): number | undefined => {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** Thrown when another live emulator holds the data dir. */
export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `data dir ${dataDir} is in use by another emulator (pid ${holderPid}); stop it first or use another --data-dir.`,
    );
  }
}

/**
 * Takes the exclusive lock of `dataDir`: `emulator.lock` created with O_EXCL holding our pid. A lock whose holder
 * is dead (a crash, kill -9) is taken over; a live holder's is refused with its pid. After locking, stray
 * `workspace.json.<pid>.tmp` files of crashed runs (full copies of the state) are removed.
 * Returns the release function (idempotent; removes the file only while it is still ours).
 */
export const lockDataDir = (dataDir: string): (() => void) => {
  const dir = resolve(dataDir);
  const file = join(dir, LOCK);
  if (heldHere.has(dir)) throw new DataDirLockedError(dir, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 2) throw e;
      const pid = holderOf(file);
      if (pid !== undefined && pid !== process.pid && alive(pid)) throw new DataDirLockedError(dir, pid);
      // Dead (or unreadable, or a previous run of ours that never released): take it over.
      rmSync(file, { force: true });
    }
  }
  heldHere.add(dir);
  for (const name of readdirSync(dir)) {
    if (/^workspace\.json\.\d+\.tmp$/.test(name)) rmSync(join(dir, name), { force: true });
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    heldHere.delete(dir);
    if (holderOf(file) === process.pid) rmSync(file, { force: true });
  };
};
