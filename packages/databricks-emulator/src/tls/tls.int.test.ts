/**
 * TLS (issue 14): `tls: true` / `--tls` serves HTTPS with a generated local CA and a leaf for localhost,
 * 127.0.0.1 and ::1 (kept in dataDir, stable across restarts); on port 443 the official JS SDK and
 * `@databricks/langchainjs` work with no shim, trusting the CA through NODE_EXTRA_CA_CERTS only.
 */
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtCli } from "../../test-support/cli-bin.js";
import { spawnEmulatorCli } from "../../test-support/cli-process.js";
import { FOUNDATION_MODELS } from "../engines/index.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

// The CLI runs as the built bin (test-support/cli-bin.ts): dist/ made current first, which may mean a build.
beforeAll(() => {
  builtCli();
}, 180_000);

const CHAT = FOUNDATION_MODELS.find((f) => f.task === "llm/v1/chat")!.endpointName;

/** GET over HTTPS trusting only `ca` (undefined: the system store). */
const get = (url: string, token: string, ca: string | undefined) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, ca }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => {
        body += c.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });

/** The certificate the server presents for `servername`. */
const peerCert = (port: number, servername: string, ca: string) =>
  new Promise<X509Certificate>((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, servername, ca }, () => {
      const raw = s.getPeerX509Certificate();
      s.end();
      if (raw) resolve(raw);
      else reject(new Error("no peer certificate"));
    });
    s.on("error", reject);
  });

describe("HTTPS", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("serves HTTPS trusted through the handle's CA only, for localhost, 127.0.0.1 and ::1", async () => {
    const emu = await startEmulator({ tls: true, foundationModels: false });
    try {
      expect(emu.url).toBe(`https://127.0.0.1:${emu.port}`);
      expect(emu.tls?.caPem).toContain("-----BEGIN CERTIFICATE-----");
      expect(existsSync(emu.tls!.caPath)).toBe(true);
      const ok = await get(`${emu.url}/api/2.0/serving-endpoints`, emu.token, emu.tls!.caPem);
      expect(ok).toEqual({ status: 200, body: "{}" });
      await expect(get(`${emu.url}/api/2.0/serving-endpoints`, emu.token, undefined)).rejects.toMatchObject({
        code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/),
      });
      const leaf = await peerCert(emu.port, "localhost", emu.tls!.caPem);
      expect(leaf.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
      expect(leaf.checkIssued(new X509Certificate(emu.tls!.caPem))).toBe(true);
      expect(
        (await get(`https://localhost:${emu.port}/api/2.0/serving-endpoints`, emu.token, emu.tls!.caPem))
          .status,
      ).toBe(200);
    } finally {
      await emu.close();
    }
    // Without dataDir the CA lived in a temporary directory, removed on close.
    expect(existsSync(emu.tls!.caPath)).toBe(false);
  });

  it("keeps the CA and leaf in --data-dir: the same certificate after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-tls-"));
    dirs.push(dir);
    const first = await startEmulator({ tls: true, dataDir: dir, foundationModels: false });
    const firstLeaf = await peerCert(first.port, "localhost", first.tls!.caPem);
    const ca = first.tls!.caPem;
    expect(first.tls!.caPath).toBe(join(dir, "tls", "ca.pem"));
    await first.close();
    const second = await startEmulator({ tls: true, dataDir: dir, foundationModels: false });
    try {
      expect(second.tls!.caPem).toBe(ca);
      const secondLeaf = await peerCert(second.port, "localhost", ca);
      expect(secondLeaf.fingerprint256).toBe(firstLeaf.fingerprint256);
    } finally {
      await second.close();
    }
  });

  it("on port 443: the official JS SDK and @databricks/langchainjs work unchanged", {
    timeout: 90_000,
  }, async (ctx) => {
    let emu: EmulatorHandle;
    try {
      emu = await startEmulator({ tls: true, port: 443 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EADDRINUSE") {
        ctx.skip(
          `port 443 cannot be bound here (${code}): run as root (or with CAP_NET_BIND_SERVICE) with 443 free`,
        );
      }
      throw err;
    }
    const home = mkdtempSync(join(tmpdir(), "emu-tls-home-"));
    dirs.push(home);
    try {
      const script = fileURLToPath(new URL("../../test-support/https-clients.mjs", import.meta.url));
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home };
      env.DATABRICKS_HOST = "https://127.0.0.1";
      env.DATABRICKS_TOKEN = emu.token;
      env.NODE_EXTRA_CA_CERTS = emu.tls!.caPath;
      const child = spawn(process.execPath, [script, CHAT], { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        err += c.toString();
      });
      const code = await new Promise<number | null>((r) => child.once("exit", r));
      expect(code, err).toBe(0);
      const result = JSON.parse(out.trim()) as { me: string; hasEndpoint: boolean; content: string };
      expect(result).toEqual({ me: emu.userName, hasEndpoint: true, content: "hello over tls" });
    } finally {
      await emu.close();
    }
  });

  it("databricks-emulator start --tls prints the https:// host and ready-to-paste CA lines", {
    timeout: 60_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-tls-cli-"));
    dirs.push(dir);
    const run = spawnEmulatorCli([
      "start",
      "--tls",
      "--port",
      "0",
      "--data-dir",
      dir,
      "--no-foundation-models",
    ]);
    const started = await run.until((out) => out.includes("data dir:"));
    await run.stop();
    const out = run.out();
    expect(started, `CLI exited: ${out}`).toBe("ready");
    const ca = join(dir, "tls", "ca.pem");
    expect(out).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/^ {2}DATABRICKS_HOST=https:\/\/127\.0\.0\.1:\d+$/m);
    for (const name of ["NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
      expect(out).toContain(`\n  ${name}=${ca}\n`);
  });
});
