/**
 * The global auth flags reach the library: --config-file and --profile pick the workspace, --allow-insecure-http
 * is what lets a plain http:// host off loopback through, --max-retries is bounded.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeIO } from "../test-support/fake-io.js";
import { runCli } from "./program.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ldb-ctx-cli-"));
  // .invalid never resolves (RFC 6761): a request there fails as a network error without leaving the machine.
  writeFileSync(
    join(dir, "cfg"),
    "[DEFAULT]\nhost = http://127.0.0.1:9\ntoken = dapi-default\n\n[remote]\nhost = http://workspace.invalid\ntoken = dapi-remote\n",
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const io = fakeIO({ cwd: dir });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

it("--profile from --config-file: a plain http:// host off loopback is refused without --allow-insecure-http", async () => {
  const cfg = join(dir, "cfg");
  const refused = await run(["--config-file", cfg, "--profile", "remote", "endpoints", "list"]);
  expect(refused.code).toBe(2);
  expect(refused.err).toMatch(
    /^Error: Configuration error: Refusing plain http:\/\/ for non-loopback host workspace\.invalid \(.*profile remote .*--allow-insecure-http/,
  );
  expect(refused.err).not.toContain("dapi-remote");

  const allowed = await run([
    "--config-file",
    cfg,
    "--profile",
    "remote",
    "--allow-insecure-http",
    "--max-retries",
    "0",
    "endpoints",
    "list",
  ]);
  // Allowed, so it really tried that host (and failed to reach it).
  expect(allowed.code, allowed.err).toBe(4);
  expect(allowed.err).toMatch(/^Error: Network error: .*Check --host/);
});

it("a --profile missing from --config-file is a configuration error naming it", async () => {
  const r = await run(["--config-file", join(dir, "cfg"), "--profile", "nope", "endpoints", "list"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("nope");
});

it("--max-retries is an integer from 0 to 20", async () => {
  for (const value of ["21", "-1", "1.5"]) {
    const r = await run(["--max-retries", value, "endpoints", "list"]);
    expect(r).toEqual({
      code: 1,
      out: "",
      err: `Error: --max-retries must be an integer from 0 to 20, got "${value}".\n`,
    });
  }
});
