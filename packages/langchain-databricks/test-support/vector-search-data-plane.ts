import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Embeddings } from "@langchain/core/embeddings";

/** One request seen by {@link startDataPlaneServer}. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string;
  contentType: string;
  body: string;
}

export interface DataPlaneServerOptions {
  /** `status.index_url` returned by GET index; `{port}` is replaced by the server's port. Omit for none. */
  indexUrl?: string;
  /** Seconds of life of minted tokens. @default 3600 */
  expiresIn?: number;
  /** Data-plane status override (e.g. 403 for every data call). */
  dataStatus?: (req: SeenRequest) => number | undefined;
  /** Token endpoint answer override (e.g. an echoing 401). */
  tokenAnswer?: (req: SeenRequest) => { status: number; body: string } | undefined;
}

export interface DataPlaneServer {
  url: string;
  requests: SeenRequest[];
  /** Token requests only. */
  tokenRequests(): SeenRequest[];
  close(): Promise<void>;
}

const readAll = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      s += c;
    });
    req.on("end", () => resolve(s));
    req.on("error", reject);
  });

/**
 * A fake workspace for Vector Search routing tests: OIDC discovery, `/oidc/v1/token` (tokens named
 * `tok-<n>-<read|write|all>`, numbered per kind), GET index with a configurable `status.index_url`, and query / upsert / delete / scan
 * answers on any path. Every request is recorded.
 */
export async function startDataPlaneServer(options: DataPlaneServerOptions = {}): Promise<DataPlaneServer> {
  const requests: SeenRequest[] = [];
  const minted = new Map<string, number>();
  let port = 0;
  const server: Server = createServer((req, res) => {
    void readAll(req).then((body) => {
      const path = (req.url ?? "/").split("?")[0] as string;
      const seen: SeenRequest = {
        method: req.method ?? "GET",
        path,
        authorization: req.headers.authorization ?? "",
        contentType: req.headers["content-type"] ?? "",
        body,
      };
      requests.push(seen);
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(typeof value === "string" ? value : JSON.stringify(value));
      };
      if (path === "/oidc/.well-known/oauth-authorization-server") {
        return json(200, { token_endpoint: `http://127.0.0.1:${port}/oidc/v1/token` });
      }
      if (path === "/oidc/v1/token") {
        const custom = options.tokenAnswer?.(seen);
        if (custom) return json(custom.status, custom.body);
        const details = new URLSearchParams(body).get("authorization_details");
        const kind = details ? (details.includes("WriteVectorIndex") ? "write" : "read") : "all";
        const n = (minted.get(kind) ?? 0) + 1;
        minted.set(kind, n);
        return json(200, {
          access_token: `tok-${n}-${kind}`,
          token_type: "Bearer",
          expires_in: options.expiresIn ?? 3600,
        });
      }
      const index = /^\/api\/2\.0\/vector-search\/indexes\/([^/]+)$/.exec(path);
      if (index && req.method === "GET") {
        const status: Record<string, unknown> = { ready: true, detailed_state: "ONLINE_DIRECT_ACCESS" };
        if (options.indexUrl) status.index_url = options.indexUrl.replace("{port}", String(port));
        return json(200, { name: decodeURIComponent(index[1] as string), endpoint_name: "ep", status });
      }
      const forced = options.dataStatus?.(seen);
      if (forced) {
        return json(forced, { error_code: "PERMISSION_DENIED", message: `refused ${seen.authorization}` });
      }
      if (path.endsWith("/query")) {
        return json(200, {
          manifest: { columns: [{ name: "id" }, { name: "score" }] },
          result: { row_count: 1, data_array: [["a", 0.5]] },
        });
      }
      if (path.endsWith("/upsert-data") || path.endsWith("/delete-data")) {
        return json(200, { status: "SUCCESS", result: { success_row_count: 1 } });
      }
      if (path.endsWith("/scan")) return json(200, { data: [] });
      return json(404, { error_code: "ENDPOINT_NOT_FOUND", message: `no route ${path}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tokenRequests: () => requests.filter((r) => r.path === "/oidc/v1/token"),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Three-dimensional embeddings by topic (cat, dog, fish): deterministic vectors whose neighbours are obvious. */
export class TopicEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  vec(t: string): number[] {
    const s = t.toLowerCase();
    return [s.includes("cat") ? 1 : 0, s.includes("dog") ? 1 : 0, s.includes("fish") ? 1 : 0];
  }
  async embedQuery(t: string) {
    return this.vec(t);
  }
  async embedDocuments(ts: string[]) {
    return ts.map((t) => this.vec(t));
  }
}
