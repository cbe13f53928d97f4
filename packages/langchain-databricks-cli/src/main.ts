#!/usr/bin/env node
import { processIO } from "./io.js";
import { runCli } from "./program.js";

/**
 * Where the process normally ends (io.ts also exits on a second Ctrl-C during a clean stop). Exiting explicitly (after stdout has flushed) matters: pooled
 * keep-alive sockets would otherwise hold the event loop open for seconds after the work is done.
 */
function exitWith(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

runCli(process.argv.slice(2), processIO()).then(exitWith, (error: unknown) => {
  process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  exitWith(1);
});
