import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildStaleBins, runBin } from "../../langchain-databricks-cli/test-support/processes.js";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./index.js";

const PKG_DIR = fileURLToPath(new URL("..", import.meta.url));

/** What `npm pack` would publish: name, version and file list, read by npm itself (not by this package). */
function packed(): { name: string; version: string; files: { path: string }[] } {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: PKG_DIR,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return (JSON.parse(out) as Array<{ name: string; version: string; files: { path: string }[] }>)[0]!;
}

describe("package identity", () => {
  // The version is baked into the build (tsdown `define`), so the build is what is checked: a wrong version
  // baked into dist/ fails here, whatever the sources say.
  let pack: ReturnType<typeof packed>;
  beforeAll(() => {
    buildStaleBins();
    pack = packed();
  }, 180_000);

  it("the built ESM and CJS entries report the version and name npm packs", async () => {
    const files = pack.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["dist/index.js", "dist/index.cjs", "package.json"]));
    const esm = (await import(pathToFileURL(`${PKG_DIR}dist/index.js`).href)) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(`${PKG_DIR}dist/index.cjs`) as Record<string, unknown>;
    expect({ name: esm.PACKAGE_NAME, version: esm.PACKAGE_VERSION }).toEqual({
      name: pack.name,
      version: pack.version,
    });
    expect({ name: cjs.PACKAGE_NAME, version: cjs.PACKAGE_VERSION }).toEqual({
      name: pack.name,
      version: pack.version,
    });
  });

  it("the built CLI prints the packed version", async () => {
    const r = await runBin("langchain-databricks", ["--version"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${pack.name} ${pack.version}\n`);
  });

  it("the sources (as tests see them) agree", () => {
    expect(PACKAGE_NAME).toBe(pack.name);
    expect(PACKAGE_VERSION).toBe(pack.version);
  });
});
