/**
 * The emulator's CLI as the tests that start it again and again spawn it: the shipped bin
 * (`bin/databricks-emulator.mjs` -> `dist/cli.js`), run by this Node with no loader, as users run it. A plain `node`
 * start costs a third of the CPU of tsx on `src/cli.ts`. {@link builtCli} rebuilds `dist/` first when it is missing
 * or older than `src/` (a build takes a while: call it from a `beforeAll` with a long timeout), through the one
 * stale check and build lock every package's tests use.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildStale } from "../../langchain-databricks-cli/test-support/builds.js";

const BIN = join(fileURLToPath(new URL("..", import.meta.url)), "bin", "databricks-emulator.mjs");

let checked = false;

/** The bin's file, with `dist/` current (built here when missing or stale). */
export function builtCli(): string {
  if (!checked) {
    buildStale(["packages/databricks-emulator"]);
    checked = true;
  }
  return BIN;
}
