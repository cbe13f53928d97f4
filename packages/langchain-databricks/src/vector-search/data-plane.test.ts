/**
 * Data-plane routing of VectorSearchClient against a fake workspace (test-support/vector-search-data-plane.ts):
 * the exact scoped-token request, caching per (index, read|write), single-flight, routing by auth type.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  type DataPlaneServer,
  type DataPlaneServerOptions,
  startDataPlaneServer,
} from "../../test-support/vector-search-data-plane.js";
import { ConfigError, PermissionDeniedError, UnauthenticatedError } from "../errors.js";
import { DatabricksHttpClient } from "../http/client.js";
import { VectorSearchClient } from "./client.js";
import { indexAuthorizationDetails, parseIndexUrl } from "./data-plane.js";

const INDEX = "main.docs.idx";
const SECRET = "sp-secret-do-not-leak-0123456789";
const DP = `/dp/indexes/${INDEX}`;
const WS = `/api/2.0/vector-search/indexes/${INDEX}`;
const Q = { columns: ["id"], queryText: "refunds" };

let server: DataPlaneServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function spClient(opts: DataPlaneServerOptions = {}, extra: { now?: () => number } = {}) {
  server = await startDataPlaneServer({ indexUrl: `127.0.0.1:{port}${DP}`, ...opts });
  const http = new DatabricksHttpClient(
    { host: server.url, clientId: "sp-id", clientSecret: SECRET, maxRetries: 0 },
    extra,
  );
  return { srv: server, vs: new VectorSearchClient({ httpClient: http }) };
}

/** Token requests scoped by authorization_details (the GET index call uses the SP's own all-apis token). */
const scopedTokens = (s: DataPlaneServer) =>
  s.tokenRequests().filter((t) => new URLSearchParams(t.body).has("authorization_details"));
const dataCalls = (s: DataPlaneServer) =>
  s.requests.filter((r) => !r.path.startsWith("/oidc/") && !/indexes\/[^/]+$/.test(r.path));

describe("VectorSearchClient data plane (service principal)", () => {
  it("queries the index_url with a token requested exactly as the Python client does", async () => {
    const { srv, vs } = await spClient();
    const r = await vs.query(INDEX, Q);
    expect(r.rows).toEqual([["a", 0.5]]);
    const [tok] = scopedTokens(srv);
    expect(tok?.authorization).toBe(`Basic ${Buffer.from(`sp-id:${SECRET}`).toString("base64")}`);
    expect(tok?.contentType).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(tok?.body);
    expect([...form.keys()]).toEqual(["grant_type", "scope", "authorization_details"]);
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("scope")).toBe("all-apis");
    expect(JSON.parse(form.get("authorization_details") as string)).toEqual([
      {
        type: "unity_catalog_permission",
        securable_type: "table",
        securable_object_name: INDEX,
        operation: "ReadVectorIndex",
      },
    ]);
    expect(dataCalls(srv).map((c) => [c.method, c.path, c.authorization])).toEqual([
      ["POST", `${DP}/query`, "Bearer tok-1-read"],
    ]);
  });

  it("uses WriteVectorIndex tokens for upsert and delete, caching one token per index and kind", async () => {
    const { srv, vs } = await spClient();
    await vs.upsert(INDEX, [{ id: "a" }]);
    await vs.deleteRows(INDEX, ["a"]);
    await vs.query(INDEX, Q);
    await vs.scan(INDEX);
    await vs.query(INDEX, Q);
    expect(dataCalls(srv).map((c) => [c.method, c.path, c.authorization])).toEqual([
      ["POST", `${DP}/upsert-data`, "Bearer tok-1-write"],
      ["DELETE", `${DP}/delete-data`, "Bearer tok-1-write"],
      ["POST", `${DP}/query`, "Bearer tok-1-read"],
      ["POST", `${DP}/scan`, "Bearer tok-1-read"],
      ["POST", `${DP}/query`, "Bearer tok-1-read"],
    ]);
    const ops = scopedTokens(srv).map((t) => {
      const d = JSON.parse(new URLSearchParams(t.body).get("authorization_details") as string);
      return d[0].operation;
    });
    expect(ops).toEqual(["WriteVectorIndex", "ReadVectorIndex"]);
    // The index URL was looked up once; discovery ran once for both scoped token kinds.
    expect(srv.requests.filter((r) => r.method === "GET" && r.path === WS)).toHaveLength(1);
    expect(srv.requests.filter((r) => r.path.startsWith("/oidc/.well-known"))).toHaveLength(1);
  });

  it("an index already read (GET index) is not looked up again for its data-plane URL", async () => {
    const { srv, vs } = await spClient();
    expect((await vs.getIndex(INDEX)).status?.index_url).toBe(`127.0.0.1:${new URL(srv.url).port}${DP}`);
    await vs.query(INDEX, Q);
    await vs.scan(INDEX);
    expect(srv.requests.filter((r) => r.path === WS)).toHaveLength(1);
    expect(dataCalls(srv).map((c) => c.path)).toEqual([`${DP}/query`, `${DP}/scan`]);
  });

  it("racing first calls share one index look-up and one token request (single-flight)", async () => {
    const { srv, vs } = await spClient();
    const results = await Promise.all(Array.from({ length: 20 }, () => vs.query(INDEX, Q)));
    expect(results.every((r) => r.rows.length === 1)).toBe(true);
    expect(scopedTokens(srv)).toHaveLength(1);
    expect(srv.tokenRequests()).toHaveLength(2); // plus the all-apis token of the GET index
    expect(srv.requests.filter((r) => r.path === WS)).toHaveLength(1);
    expect(new Set(dataCalls(srv).map((c) => c.authorization))).toEqual(new Set(["Bearer tok-1-read"]));
  });

  it("fetches a new scoped token once the cached one nears expiry", async () => {
    let now = 1_000_000;
    const { srv, vs } = await spClient({ expiresIn: 600 }, { now: () => now });
    await vs.query(INDEX, Q);
    now += 300_000; // half-way: still cached
    await vs.query(INDEX, Q);
    now += 299_000; // 1 s before expiry: inside the hard refresh window
    await vs.query(INDEX, Q);
    expect(dataCalls(srv).map((c) => c.authorization)).toEqual([
      "Bearer tok-1-read",
      "Bearer tok-1-read",
      "Bearer tok-2-read",
    ]);
  });

  it("a rejected scoped token (401) is replaced once and the call retried", async () => {
    let refused = 0;
    const { srv, vs } = await spClient({
      dataStatus: (r) => (r.authorization === "Bearer tok-1-read" && refused++ === 0 ? 401 : undefined),
    });
    await vs.query(INDEX, Q);
    expect(dataCalls(srv).map((c) => c.authorization)).toEqual(["Bearer tok-1-read", "Bearer tok-2-read"]);
  });

  it("a data-plane 403 is a typed PermissionDeniedError without the secret or the token", async () => {
    const { vs } = await spClient({ dataStatus: () => 403 });
    const e = await vs.query(INDEX, Q).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PermissionDeniedError);
    expect((e as PermissionDeniedError).status).toBe(403);
    expect(String((e as Error).message)).not.toContain("tok-1-read");
    expect(JSON.stringify(e)).not.toContain(SECRET);
    expect(JSON.stringify(vs.httpClient.toJSON())).not.toContain(SECRET);
  });

  it("a token endpoint echoing the client secret yields an UnauthenticatedError without it", async () => {
    const { vs } = await spClient({
      tokenAnswer: (r) => ({
        status: 401,
        body: JSON.stringify({
          error: "invalid_client",
          error_description: `got ${r.authorization} ${SECRET}`,
        }),
      }),
    });
    const e = (await vs.query(INDEX, Q).catch((x: unknown) => x)) as Error;
    expect(e).toBeInstanceOf(UnauthenticatedError);
    expect(`${e.message} ${String(e.cause ?? "")}`).not.toContain(SECRET);
    expect(e.message).not.toContain(Buffer.from(`sp-id:${SECRET}`).toString("base64"));
  });

  it("without index_url the workspace URL is used, still with the scoped token", async () => {
    const { srv, vs } = await spClient({ indexUrl: "" });
    await vs.query(INDEX, Q);
    expect(dataCalls(srv).map((c) => [c.path, c.authorization])).toEqual([
      [`${WS}/query`, "Bearer tok-1-read"],
    ]);
  });

  it('dataPlane: "workspace" keeps a service principal on the workspace URL with its all-apis token', async () => {
    server = await startDataPlaneServer({ indexUrl: `127.0.0.1:{port}${DP}` });
    const vs = new VectorSearchClient({
      host: server.url,
      clientId: "sp-id",
      clientSecret: SECRET,
      dataPlane: "workspace",
    });
    expect(vs.dataPlane).toBe("workspace");
    await vs.query(INDEX, Q);
    expect(dataCalls(server).map((c) => [c.path, c.authorization])).toEqual([
      [`${WS}/query`, "Bearer tok-1-all"],
    ]);
    expect(new URLSearchParams(server.tokenRequests()[0]?.body).has("authorization_details")).toBe(false);
    expect(server.requests.some((r) => r.path === WS)).toBe(false);
  });

  it("a PAT uses the workspace URL: no index look-up, no token request", async () => {
    server = await startDataPlaneServer({ indexUrl: `127.0.0.1:{port}${DP}` });
    const vs = new VectorSearchClient({ host: server.url, token: "dapi-pat" });
    expect(vs.dataPlane).toBe("auto");
    await vs.query(INDEX, Q);
    await vs.upsert(INDEX, [{ id: "a" }]);
    expect(server.requests.map((c) => [c.path, c.authorization])).toEqual([
      [`${WS}/query`, "Bearer dapi-pat"],
      [`${WS}/upsert-data`, "Bearer dapi-pat"],
    ]);
  });

  it("refuses an unknown dataPlane and an aborted signal before any I/O", async () => {
    expect(() => new VectorSearchClient({ token: "x", dataPlane: "data" as "auto" })).toThrow(ConfigError);
    const { srv, vs } = await spClient();
    const ac = new AbortController();
    ac.abort();
    await expect(vs.query(INDEX, Q, { signal: ac.signal })).rejects.toThrow(/aborted/);
    expect(srv.requests).toEqual([]);
  });
});

describe("requests to another origin", () => {
  it("need their own credentials and https (http on loopback only); nothing is sent otherwise", async () => {
    server = await startDataPlaneServer();
    const http = new DatabricksHttpClient({ host: server.url, token: "dapi-workspace", maxRetries: 0 });
    const other = "http://127.0.0.2:9";
    await expect(http.request({ method: "GET", path: "/x", origin: other })).rejects.toThrow(
      "A request to http://127.0.0.2:9 (not the workspace) needs its own credentials.",
    );
    const credentials = { authType: "test", header: () => "Bearer scoped", invalidate: () => false };
    await expect(
      http.request({ method: "GET", path: "/x", origin: "http://dp.example.com", credentials }),
    ).rejects.toThrow("Refusing to send credentials to http://dp.example.com: not https.");
    expect(server.requests).toEqual([]);
    // Same origin as the workspace: allowed, with the given credentials.
    await http.request({ method: "POST", path: "/a/scan", origin: server.url, credentials });
    expect(server.requests.map((r) => r.authorization)).toEqual(["Bearer scoped"]);
  });
});

describe("index_url and authorization_details", () => {
  it("adds https to a bare host, keeps http only on loopback, refuses plain http elsewhere", () => {
    expect(parseIndexUrl("dp.example.com/api/2.0/x/indexes/a.b.c/", "https://ws")).toEqual({
      origin: "https://dp.example.com",
      path: "/api/2.0/x/indexes/a.b.c",
    });
    expect(parseIndexUrl("127.0.0.1:8080/dp/indexes/i", "http://127.0.0.1:8080")).toEqual({
      origin: "http://127.0.0.1:8080",
      path: "/dp/indexes/i",
    });
    expect(parseIndexUrl("127.0.0.1:8080/dp", "https://ws").origin).toBe("https://127.0.0.1:8080");
    expect(() => parseIndexUrl("http://dp.example.com/x", "http://127.0.0.1")).toThrow(/not https/);
    expect(() => parseIndexUrl("https://", "https://ws")).toThrow(ConfigError);
  });

  it("builds the read and write scopes", () => {
    expect(indexAuthorizationDetails("a.b.c", true)).toBe(
      '[{"type":"unity_catalog_permission","securable_type":"table","securable_object_name":"a.b.c","operation":"WriteVectorIndex"}]',
    );
  });
});
