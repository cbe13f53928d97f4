/**
 * Keeping a package's built `dist/` current for tests that run it (the shipped bins, compiled examples and doc
 * blocks, the emulator's CLI): {@link buildStale} builds a package whose `dist/` is missing or older than its
 * `src/`, once across parallel test files (an atomic mkdir lock in the package directory).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Source files that are compiled into a package's dist (tests and test-only helpers are not). */
function isBuiltSource(path: string): boolean {
  return (
    path.endsWith(".ts") &&
    !/\.test\.ts$|\/tests?\/|\/testing\/|\/reliability\/|\/test_[^/]*\.ts$|fake_io\.ts$/.test(path)
  );
}

function newestMtime(dir: string, keep: (path: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (keep(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether `pkgDir/dist` is missing or older than the sources compiled into it. */
export function distIsStale(pkgDir: string): boolean {
  const dist = join(pkgDir, "dist");
  if (!existsSync(dist)) return true;
  const src = join(pkgDir, "src");
  // Matched on the path inside src/ (a checkout under a folder named "tests" must not hide every source).
  const built = (p: string) => isBuiltSource(`/${relative(src, p)}`);
  return newestMtime(src, built) > newestMtime(dist, (p) => p.endsWith(".js"));
}

/**
 * Builds each of `pkgs` (directories relative to the repo root) whose `dist/` is missing or older than its `src/`,
 * for the bin tests (`buildStaleBins` in ./processes.ts) and tests that run code against the built packages.
 */
export function buildStale(pkgs: readonly string[]): void {
  for (const pkg of new Set(pkgs)) {
    const pkgDir = join(REPO_ROOT, pkg);
    if (!distIsStale(pkgDir)) continue;
    // Test files run in parallel workers: one builds (the lock is an atomic mkdir), the others wait for it
    // and then find dist/ current.
    const lock = join(pkgDir, ".build-lock");
    const deadline = Date.now() + 170_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`${lock} held for too long: remove it if no build runs.`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // another worker is building
      }
    }
    try {
      if (!distIsStale(pkgDir)) continue;
      process.stderr.write(
        `[bin tests] ${pkg}/dist is missing or older than src/: running npm run build there\n`,
      );
      const r = spawnSync("npm", ["run", "build", "--silent", "--workspace", pkg], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`npm run build --workspace ${pkg} failed:\n${r.stdout}${r.stderr}`);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
