import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { type EmulatorHandle, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ChatDatabricks } from "../chat-models/chat-databricks.js";
import { SecretsClient } from "../clients/secrets.js";
import { ServingEndpointsClient } from "../clients/serving-endpoints.js";
import { DatabricksEmbeddings } from "../embeddings.js";
import { DatabricksConfigError, DatabricksConnectionError, isDatabricksError } from "../errors.js";
import { Databricks } from "../llms.js";
import { DatabricksHttpClient } from "./client.js";
import type { Transport, TransportRequest } from "./transport.js";

// Distinctive strings: if any of them shows up anywhere we can observe, it leaked.
const TOKEN = "dapi-SWEEP-TOKEN-7f3a9c0d11";
const CLIENT_SECRET = "SWEEP-CLIENT-SECRET-91be4420";
const SECRET_VALUE = "SWEEP-SECRET-VALUE-55d0e1f2";
const OBO_TOKEN = "SWEEP-OBO-TOKEN-a0b1c2d3e4";
const SECRETS = [TOKEN, CLIENT_SECRET, SECRET_VALUE, OBO_TOKEN];
const SP_ID = "sweep-sp";

let emu: EmulatorHandle;
const servers: Server[] = [];

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    token: TOKEN,
    servicePrincipals: [{ clientId: SP_ID, clientSecret: CLIENT_SECRET, admin: true }],
  });
});

afterAll(async () => {
  await emu?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** Everything observable about a value: JSON, inspect (own props, cause chain), message and stack. */
function observe(v: unknown): string {
  const parts: string[] = [];
  try {
    parts.push(JSON.stringify(v) ?? "");
  } catch {
    parts.push("[unserialisable]");
  }
  parts.push(inspect(v, { depth: 8, showHidden: true, getters: false }));
  if (v instanceof Error) parts.push(v.message, v.stack ?? "", String(v));
  return parts.join("\n");
}

/** Captures every callback (run trees, inputs, invocation params, serialized model, outputs, errors). */
class CaptureAll extends BaseCallbackHandler {
  name = "capture-all";
  seen: string[] = [];
  constructor() {
    super();
    const methods = [
      "handleLLMStart",
      "handleChatModelStart",
      "handleLLMNewToken",
      "handleLLMEnd",
      "handleLLMError",
      "handleChainStart",
      "handleChainEnd",
      "handleChainError",
      "handleCustomEvent",
    ] as const;
    for (const m of methods) {
      (this as unknown as Record<string, (...a: unknown[]) => void>)[m] = (...args: unknown[]) => {
        this.seen.push(args.map(observe).join("\n"));
      };
    }
  }
}

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(String((server.address() as AddressInfo).port))),
  );
}

describe("security sweep: no secret in errors, logs, toJSON() or traces", () => {
  it("PAT, OAuth client secret, secret values and per-call tokens never appear anywhere observable", async () => {
    const captured: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...a: unknown[]) => {
        captured.push(a.map(observe).join(" "));
      }),
    );
    const writes = [process.stdout, process.stderr].map((s) =>
      vi.spyOn(s, "write").mockImplementation(((chunk: unknown) => {
        captured.push(String(chunk));
        return true;
      }) as never),
    );
    const cb = new CaptureAll();
    try {
      const pat = { host: emu.url, token: TOKEN };
      const m2m = { host: emu.url, clientId: SP_ID, clientSecret: CLIENT_SECRET };
      const chat = new ChatDatabricks({
        model: "databricks-meta-llama-3-3-70b-instruct",
        ...pat,
        maxTokens: 8,
      });
      const chatM2m = new ChatDatabricks({
        model: "databricks-meta-llama-3-3-70b-instruct",
        ...m2m,
        maxTokens: 8,
      });
      const llm = new Databricks({
        endpointName: "databricks-meta-llama-3-3-70b-instruct",
        apiToken: TOKEN,
        host: emu.url,
      });
      const emb = new DatabricksEmbeddings({
        endpoint: "databricks-gte-large-en",
        apiKey: TOKEN,
        host: emu.url,
      });
      const http = new DatabricksHttpClient(m2m);
      const secrets = new SecretsClient(pat);
      captured.push(
        ...[chat, chatM2m, llm, emb, http, chat.bindTools([]), chatM2m.withConfig({ tags: ["x"] })].map(
          observe,
        ),
      );

      // Successful calls (with an on-behalf-of header per call), streaming, embeddings, LLM.
      await chat.invoke("hi", { callbacks: [cb], headers: { "x-forwarded-access-token": OBO_TOKEN } });
      for await (const _ of await chatM2m.stream("hi", { callbacks: [cb] })) {
        // drain
      }
      await llm.invoke("hi", { callbacks: [cb] });
      await emb.embedQuery("hi");
      captured.push(observe(await http.resolveConfig()), observe(http));

      // Secrets: put and get succeed; failures carry no value.
      await secrets.createScope("sweep");
      await secrets.putSecret("sweep", "k", SECRET_VALUE);
      expect(await secrets.getSecret("sweep", "k")).toBe(SECRET_VALUE); // the API returns it, nothing else may
      const failures = await Promise.all([
        secrets.putSecret("no-such-scope", "k", SECRET_VALUE).catch((e: unknown) => e),
        new ChatDatabricks({ model: "no-such-endpoint", ...pat })
          .invoke("hi", { callbacks: [cb] })
          .catch((e: unknown) => e),
        new ChatDatabricks({ model: "x", host: emu.url, token: `${TOKEN}-wrong` })
          .invoke("hi")
          .catch((e: unknown) => e),
        new ChatDatabricks({ model: "x", ...m2m, clientSecret: `${CLIENT_SECRET}-wrong` })
          .invoke("hi")
          .catch((e: unknown) => e),
        new ChatDatabricks({ model: "x", host: "http://127.0.0.1:1", token: TOKEN, maxRetries: 0 })
          .invoke("hi")
          .catch((e: unknown) => e),
        new ChatDatabricks({ model: "x", host: "http://example.com", token: TOKEN })
          .invoke("hi")
          .catch((e: unknown) => e),
      ]);
      for (const f of failures) expect(isDatabricksError(f)).toBe(true);
      captured.push(...failures.map(observe));

      // A server that echoes the bearer token in its error message: the client redacts it.
      const echo = createHttpServer((req, res) => {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            error_code: "UNAUTHENTICATED",
            message: `Bad token ${req.headers.authorization}`,
          }),
        );
      });
      const port = await listen(echo);
      const echoed = await new DatabricksHttpClient({ host: `http://127.0.0.1:${port}`, token: TOKEN })
        .request({ method: "GET", path: "/api/2.0/x" })
        .catch((e: unknown) => e);
      expect(String((echoed as Error).message)).toContain("[REDACTED]");
      captured.push(observe(echoed));
    } finally {
      for (const s of [...spies, ...writes]) s.mockRestore();
    }
    expect(cb.seen.length).toBeGreaterThan(10);
    const everything = [...captured, ...cb.seen].join("\n");
    console.log(
      `[figures] secret sweep: ${captured.length} values/log lines + ${cb.seen.length} callback payloads, ${everything.length} chars scanned`,
    );
    // Report each leak with its surroundings, so a failure says where the secret escaped.
    const leaks = [...captured, ...cb.seen].flatMap((text) =>
      SECRETS.filter((s) => text.includes(s)).map((s) => {
        const at = text.indexOf(s);
        return text.slice(Math.max(0, at - 300), at + s.length + 40);
      }),
    );
    expect(leaks).toEqual([]);
  });
});

describe("transport security", () => {
  let dir: string;
  let cert: string;
  let key: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "dbx-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
    key = readFileSync(join(dir, "key.pem"), "utf8");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("TLS is verified by default: a self-signed loopback server is refused (token never sent) unless its CA is given", async () => {
    const seenAuth: Array<string | undefined> = [];
    const server = createHttpsServer({ cert, key }, (req: IncomingMessage, res: ServerResponse) => {
      seenAuth.push(req.headers.authorization);
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    });
    const port = await listen(server as unknown as Server);
    const host = `https://127.0.0.1:${port}`;
    const refused = await new DatabricksHttpClient({ host, token: TOKEN, maxRetries: 0 })
      .request({ method: "GET", path: "/api/2.0/x" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DatabricksConnectionError);
    expect((refused as DatabricksConnectionError).transient).toBe(false);
    expect((refused as Error).message).toMatch(/ca/);
    expect(seenAuth).toEqual([]);
    const trusted = new DatabricksHttpClient({ host, token: TOKEN, ca: cert });
    expect(await trusted.request({ method: "GET", path: "/api/2.0/x" })).toEqual({ ok: true });
    await trusted.close();
    expect(seenAuth).toEqual([`Bearer ${TOKEN}`]);
  });

  it("Authorization is never sent to another origin on redirect (kept on same-origin hops)", async () => {
    const seenByB: Array<string | undefined> = [];
    const b = createHttpServer((req, res) => {
      seenByB.push(req.headers.authorization);
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"from":"b"}');
    });
    const portB = await listen(b);
    const seenByA: Array<string | undefined> = [];
    const a = createHttpServer((req, res) => {
      seenByA.push(req.headers.authorization);
      if (req.url === "/hop") res.writeHead(307, { location: "/away" }).end();
      else if (req.url === "/away")
        res.writeHead(307, { location: `http://127.0.0.1:${portB}/landing` }).end();
      else if (req.url === "/outside") res.writeHead(302, { location: "http://10.255.255.1/steal" }).end();
      else res.writeHead(404).end();
    });
    const portA = await listen(a);
    const client = new DatabricksHttpClient({
      host: `http://127.0.0.1:${portA}`,
      token: TOKEN,
      maxRetries: 0,
    });
    expect(await client.request({ method: "POST", path: "/hop", body: { x: 1 } })).toEqual({ from: "b" });
    expect(seenByA).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]); // same origin: kept
    expect(seenByB).toEqual([undefined]); // other origin: dropped
    const outside = await client.request({ method: "GET", path: "/outside" }).catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(DatabricksConnectionError);
    expect((outside as Error).message).toMatch(/Refusing redirect to plain http/);
  });

  it("http:// is refused for non-loopback hosts before any connection (allowed on loopback)", async () => {
    let sent = 0;
    const transport: Transport = {
      send: async () => {
        sent++;
        throw new Error("must not be reached");
      },
      close: async () => undefined,
    };
    for (const host of ["http://example.com", "http://10.0.0.5:8080", "http://my-ws.cloud.databricks.com/"]) {
      const e = await new DatabricksHttpClient({ host, token: TOKEN }, { transport })
        .request({ method: "GET", path: "/api/2.0/serving-endpoints" })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DatabricksConfigError);
      expect((e as Error).message).toMatch(/Refusing plain http/);
    }
    expect(sent).toBe(0);
    const chat = await new ChatDatabricks({ model: "m", host: "http://example.com", token: TOKEN })
      .invoke("x")
      .catch((x: unknown) => x);
    expect(chat).toBeInstanceOf(DatabricksConfigError);
  });

  it("endpoint names and path segments are URL-encoded: no path injection", async () => {
    const seen: TransportRequest[] = [];
    const transport: Transport = {
      send: async (r) => {
        seen.push(r);
        return {
          status: 404,
          headers: { "content-type": "application/json" },
          text: async () => '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"nope"}',
          body: () => (async function* () {})(),
          discard: () => undefined,
        };
      },
      close: async () => undefined,
    };
    const http = new DatabricksHttpClient(
      { host: "https://ws.example.com", token: TOKEN, maxRetries: 0 },
      { transport },
    );
    const evil = ["../api/2.0/secrets/scopes/list", "..", ".", "a/../../b", "x?y=1#z", "a%2F..", "ep name"];
    for (const name of evil) {
      await new ChatDatabricks({ model: name, client: http, route: "invocations" })
        .invoke("x")
        .catch(() => undefined);
      await new DatabricksEmbeddings({ endpoint: name, client: http, route: "invocations" })
        .embedQuery("x")
        .catch(() => undefined);
      await new Databricks({ endpointName: name, client: http, task: "custom" })
        .invoke("x")
        .catch(() => undefined);
      await new ServingEndpointsClient({ httpClient: http }).get(name).catch(() => undefined);
      await new SecretsClient({ httpClient: http }).getSecret(name, name).catch(() => undefined);
    }
    for (const r of seen) {
      const path = r.path.split("?")[0]!;
      // Each name stays one opaque segment: no raw "/" from the name, no dot segments, no query smuggling.
      expect(path.split("/")).not.toContain("..");
      expect(path.split("/")).not.toContain(".");
      expect(path).not.toContain("/secrets/scopes/list");
      expect(path).not.toContain("#");
    }
    const named = seen.filter((r) => r.path.startsWith("/serving-endpoints/"));
    expect(named.length).toBeGreaterThan(0);
    for (const r of named) expect(r.path).toMatch(/^\/serving-endpoints\/[^/]+\/invocations$/);

    // Against the emulator, the injected name is just an endpoint that does not exist.
    const e = await new ChatDatabricks({ model: evil[0]!, host: emu.url, token: TOKEN, route: "invocations" })
      .invoke("x")
      .catch((x: unknown) => x);
    expect((e as { status?: number }).status).toBe(404);
  });
});
