import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfigIo } from "./io.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "config-io-"));
  await writeFile(join(dir, ".databrickscfg"), "[DEFAULT]\nhost = https://a.test\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("defaultConfigIo (the real file system and processes)", () => {
  it("reads a file, answers undefined for a missing one, and throws other read errors", async () => {
    const io = defaultConfigIo({});
    expect(await io.readFile(join(dir, ".databrickscfg"))).toBe("[DEFAULT]\nhost = https://a.test\n");
    expect(await io.readFile(join(dir, "missing.cfg"))).toBeUndefined();
    await expect(io.readFile(dir)).rejects.toMatchObject({ code: "EISDIR" });
  });

  it("reports the home directory and exposes the env it was given", async () => {
    const env = { DATABRICKS_HOST: "https://h.test" };
    const io = defaultConfigIo(env);
    expect(io.env).toBe(env);
    expect(await io.homeDir()).toBe(homedir());
  });

  it("runCli: undefined when the binary does not exist; exit code, stdout and stderr otherwise", async () => {
    const missing = defaultConfigIo({ DATABRICKS_CLI_PATH: join(dir, "no-such-databricks") });
    expect(await missing.runCli(["version"], 5_000)).toBeUndefined();
    const node = defaultConfigIo({ DATABRICKS_CLI_PATH: process.execPath });
    expect(await node.runCli(["-e", "process.stdout.write('out')"], 10_000)).toEqual({
      code: 0,
      stdout: "out",
      stderr: "",
    });
    expect(await node.runCli(["-e", "process.stderr.write('bad token'); process.exit(3)"], 10_000)).toEqual({
      code: 3,
      stdout: "",
      stderr: "bad token",
    });
  });
});
