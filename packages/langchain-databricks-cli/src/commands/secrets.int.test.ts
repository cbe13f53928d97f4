/** `secrets` on a fresh emulator: empty listings, and how a value must (not) be given. */
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { fakeIO } from "../../test-support/fake-io.js";
import { runCli } from "../program.js";

let emu: Awaited<ReturnType<typeof startEmulator>>;

beforeAll(async () => {
  emu = await startEmulator({ foundationModels: false });
});
afterAll(async () => {
  await emu?.close();
});

async function run(args: string[], options: Parameters<typeof fakeIO>[0] = {}) {
  const io = fakeIO(options);
  const code = await runCli(["--host", emu.url, "--token", emu.token, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

it("a fresh workspace has no scopes; a new scope has no secrets; --json gives the empty lists", async () => {
  expect(await run(["secrets", "list-scopes"])).toEqual({ code: 0, out: "(no scopes)\n", err: "" });
  expect((await run(["secrets", "list-scopes", "--json"])).out).toBe("[]\n");
  expect((await run(["secrets", "create-scope", "empty-scope"])).code).toBe(0);
  expect(await run(["secrets", "list-secrets", "empty-scope"])).toEqual({
    code: 0,
    out: "(no secrets)\n",
    err: "",
  });
  expect((await run(["secrets", "list-secrets", "empty-scope", "--json"])).out).toBe("[]\n");
  expect(JSON.parse((await run(["secrets", "list-scopes", "--json"])).out)).toEqual([
    expect.objectContaining({ name: "empty-scope" }),
  ]);
  expect(await run(["secrets", "delete-scope", "empty-scope"])).toEqual({
    code: 0,
    out: "Deleted scope empty-scope.\n",
    err: "",
  });
});

it("put-secret: both value flags, or nothing on a terminal, are usage errors; the value is never echoed", async () => {
  expect((await run(["secrets", "create-scope", "s"])).code).toBe(0);
  const both = await run([
    "secrets",
    "put-secret",
    "s",
    "k",
    "--string-value",
    "hunter2",
    "--bytes-value",
    "AAEC",
  ]);
  expect(both).toEqual({
    code: 1,
    out: "",
    err: "Error: put-secret: use either --string-value or --bytes-value, not both.\n",
  });
  // On a terminal there is no piped value to read: say how to give one instead of waiting for input.
  const tty = await run(["secrets", "put-secret", "s", "k"], { stdinIsTTY: true });
  expect(tty).toEqual({
    code: 1,
    out: "",
    err: "Error: put-secret: give the value with --string-value, --bytes-value, or pipe it on stdin.\n",
  });
  expect((await run(["secrets", "list-secrets", "s"])).out).toBe("(no secrets)\n");

  const piped = await run(["secrets", "put-secret", "s", "k"], { stdin: "line1\r\n" });
  expect(piped).toEqual({
    code: 0,
    out: "Stored secret s/k.\n",
    err: "Reading the secret value from stdin.\n",
  });
  const { SecretsClient } = await import("langchain-databricks");
  // Only the one trailing line break (CRLF too) is dropped.
  expect(await new SecretsClient({ host: emu.url, token: emu.token }).getSecret("s", "k")).toBe("line1");
});
