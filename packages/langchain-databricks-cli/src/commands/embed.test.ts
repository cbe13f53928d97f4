/**
 * embed's local failures and a Ctrl-C before the first batch (fake IO; the host is a closed port, so any request
 * would exit 4 instead).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeIO } from "../../test-support/fake-io.js";
import { runCli } from "../program.js";

const NO_SERVER = ["--host", "http://127.0.0.1:9", "--token", "dapi-test", "--max-retries", "0"];
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ldb-embed-cli-"));
  writeFileSync(join(dir, "texts.txt"), "one\ntwo\nthree\n");
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

it("--out where no file can be created: a usage error naming the path, before any request", async () => {
  const io = fakeIO({ cwd: dir });
  const code = await runCli([...NO_SERVER, "embed", "texts.txt", "-m", "e", "--out", "no-dir/v.jsonl"], io);
  expect(code).toBe(1);
  expect(io.err()).toBe('Error: embed: cannot write "no-dir/v.jsonl" (ENOENT).\n');
  expect(io.out()).toBe("");
});

it("an input that is a directory is a usage error with its code", async () => {
  const io = fakeIO({ cwd: dir });
  const code = await runCli([...NO_SERVER, "embed", ".", "-m", "e"], io);
  expect(code).toBe(1);
  expect(io.err()).toBe('Error: embed: cannot read "." (EISDIR).\n');
});

it("Ctrl-C before the first batch: exit 130, nothing sent, the --out file empty, and the summary says so", async () => {
  const io = fakeIO({ cwd: dir });
  const onInterrupt = io.onInterrupt.bind(io);
  io.onInterrupt = (listener) => {
    const off = onInterrupt(listener);
    io.interrupt(); // pressed as soon as embed listens for it
    return off;
  };
  const code = await runCli([...NO_SERVER, "embed", "texts.txt", "-m", "e", "--out", "v.jsonl"], io);
  expect(code, io.err()).toBe(130);
  expect(io.err()).toMatch(/^Interrupted after \d+\.\d\ds: wrote 0 of 3 rows to v\.jsonl\.\n$/);
  expect(existsSync(join(dir, "v.jsonl"))).toBe(true);
  expect(readFileSync(join(dir, "v.jsonl"), "utf8")).toBe("");
});
