/**
 * serve-driver-proxy in-process (fake IO, real loopback HTTP, no emulator): streamed answers from generator
 * functions, what the operator sees when the function fails in its different ways, and --bind errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeIO } from "../../test-support/fake-io.js";
import { freePort } from "../../test-support/processes.js";
import { runCli } from "../program.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "ldb-serve-cli-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Serves `source` (written as `file`) on a free loopback port; resolves once the server says it is serving. */
async function serve(file: string, source: string) {
  writeFileSync(join(dir, file), source);
  const port = await freePort();
  const io = fakeIO({ cwd: dir });
  const listening = new Promise<void>((resolve) => {
    const write = io.stderr.write;
    io.stderr.write = (chunk: string) => {
      const r = write(chunk);
      if (chunk.startsWith("Serving ")) resolve();
      return r;
    };
  });
  const serving = runCli(["serve-driver-proxy", file, "--port", String(port), "--bind", "127.0.0.1"], io);
  await Promise.race([
    listening,
    serving.then((code) => Promise.reject(new Error(`exited ${code}: ${io.err()}`))),
  ]);
  const post = (prompt: string) =>
    fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify({ prompt }) });
  const stop = async () => {
    io.interrupt();
    expect(await serving).toBe(0);
  };
  return { io, post, stop };
}

it("a generator function's pieces are joined into one answer; a failure mid-stream is logged and answered 500", async () => {
  const { io, post, stop } = await serve(
    "gen.mjs",
    "export default async function* (prompt) {\n" +
      "  yield 'one ';\n" +
      "  if (prompt === 'break') throw new Error('stream broke');\n" +
      "  yield prompt;\n" +
      "}\n",
  );
  try {
    const ok = await post("two");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toBe("one two");
    const broken = await post("break");
    expect(broken.status).toBe(500);
    expect((await broken.json()) as { error_code: string }).toMatchObject({ error_code: "MODEL_ERROR" });
    expect(io.err()).toMatch(
      /serve-driver-proxy: the model function failed \(answered 500\): Error: stream broke\n\s+at .*gen\.mjs/,
    );
  } finally {
    await stop();
  }
});

it("a plain (sync) generator is served too", async () => {
  const { post, stop } = await serve("syncgen.mjs", "export default function* (p) { yield 'a'; yield p; }\n");
  try {
    expect(await (await post("b")).json()).toBe("ab");
  } finally {
    await stop();
  }
});

it("thrown non-errors and errors without a stack are logged by value; a secret in them is not", async () => {
  const { io, post, stop } = await serve(
    "odd.mjs",
    "export default (prompt) => {\n" +
      "  if (prompt === 'string') throw 'plain string thrown';\n" +
      "  const e = new TypeError('no stack here, Authorization: Bearer dapiSECRET123');\n" +
      "  e.stack = undefined;\n" +
      "  throw e;\n" +
      "};\n",
  );
  try {
    expect((await post("string")).status).toBe(500);
    expect((await post("nostack")).status).toBe(500);
    const err = io.err();
    expect(err).toContain(
      "serve-driver-proxy: the model function failed (answered 500): plain string thrown\n",
    );
    expect(err).toContain(
      "serve-driver-proxy: the model function failed (answered 500): TypeError: no stack here",
    );
    expect(err).not.toContain("dapiSECRET123");
  } finally {
    await stop();
  }
});

it("--bind to an address of another machine is a usage error naming it", async () => {
  writeFileSync(join(dir, "ok.mjs"), "export default () => 'ok';\n");
  const io = fakeIO({ cwd: dir });
  // 192.0.2.1 is TEST-NET-1 (RFC 5737): never this machine's, and no DNS look-up is needed to find that out.
  const code = await runCli(["serve-driver-proxy", "ok.mjs", "--port", "7002", "--bind", "192.0.2.1"], io);
  expect(code).toBe(1);
  expect(io.err()).toBe("Error: serve-driver-proxy: --bind 192.0.2.1 is not an address of this machine.\n");
});
