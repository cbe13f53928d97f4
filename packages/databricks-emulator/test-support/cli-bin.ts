/**
 * The emulator's CLI as the tests that start it again and again spawn it: the shipped bin
 * (`bin/databricks-emulator.mjs` -> `dist/cli.js`), run by this Node with no loader, as users run it. A plain `node`
 * start costs a third of the CPU of tsx on `src/cli.ts`. {@link builtCli} rebuilds `dist/` first when it is missing
 * or older than `src/` (a build takes a while: call it from a `beforeAll` with a long timeout). The build lock is
 * the one `packages/langchain-databricks-cli/test-support/processes.ts` uses, so parallel test files build once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const PKG = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(PKG, "bin", "databricks-emulator.mjs");

/** Source files compiled into dist/ (tests, test-only helpers and type declarations are not). */
const built = (rel: string) =>
  rel.endsWith(".ts") && !rel.endsWith(".d.ts") && !/\.test\.ts$|(^|\/)tests?\/|(^|\/)testing\//.test(rel);

const newest = (dir: string, keep: (rel: string) => boolean): number => {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    if (e.isFile() && keep(relative(dir, path))) t = Math.max(t, statSync(path).mtimeMs);
  }
  return t;
};

const stale = () =>
  !existsSync(join(PKG, "dist", "cli.js")) ||
  newest(join(PKG, "src"), built) > newest(join(PKG, "dist"), (p) => p.endsWith(".js"));

let checked = false;

/** The bin's file, with `dist/` current (built here when missing or stale). */
export function builtCli(): string {
  if (checked) return BIN;
  if (stale()) {
    const lock = join(PKG, ".build-lock");
    const deadline = Date.now() + 170_000;
    for (;;) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`${lock} held for too long: remove it if no build runs.`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // another test file is building
      }
    }
    try {
      if (stale()) {
        process.stderr.write(
          "[cli tests] databricks-emulator/dist is missing or older than src/: building\n",
        );
        const r = spawnSync("npm", ["run", "build", "--silent"], { cwd: PKG, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`npm run build failed in ${PKG}:\n${r.stdout}${r.stderr}`);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  checked = true;
  return BIN;
}
