/**
 * Where index data calls (query, query-next-page, scan, upsert-data, delete-data) go, as the databricks-vectorsearch
 * Python client routes them (packages/databricks-emulator/spec/vector-search.md, section 8):
 * - OAuth M2M (service principal): the index's data-plane URL `status.index_url` (workspace URL when absent), with a
 *   token from the workspace token endpoint scoped by `authorization_details` to the index, ReadVectorIndex for
 *   reads and WriteVectorIndex for writes;
 * - every other auth type (PAT, CLI, token provider): the workspace URL with the client's own token.
 * Index URLs and scoped credentials are cached per index (and per read/write); concurrent first calls share one
 * GET index and one token request.
 */
import type { Credentials } from "../auth/credentials.js";
import { isLoopbackHostname } from "../auth/host.js";
import { pathSegment } from "../clients/shared.js";
import { AbortError, ConfigError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import { raceAbort } from "../utils/abort.js";
import type { VectorIndex } from "./types.js";
import { VECTOR_SEARCH_API as API } from "./wire-format.js";

/**
 * `"auto"` (default): service principals (OAuth M2M) use the index data-plane URL with index-scoped tokens, other
 * auth types the workspace URL. `"workspace"`: always the workspace URL with the client's own token.
 */
export type VectorSearchDataPlane = "auto" | "workspace";

/** Index operations served by the data plane. `sync` and management calls always use the workspace URL. */
export const DATA_PLANE_OPS: ReadonlySet<string> = new Set([
  "query",
  "query-next-page",
  "scan",
  "upsert-data",
  "delete-data",
]);
const WRITE_OPS: ReadonlySet<string> = new Set(["upsert-data", "delete-data"]);

/** Where one data call goes: `origin` and `credentials` unset mean the workspace and the client's credentials. */
export interface DataRoute {
  path: string;
  origin?: string;
  credentials?: Credentials;
}

/** The `authorization_details` of an index-scoped token (the exact JSON the Python client sends). */
export function indexAuthorizationDetails(index: string, write: boolean): string {
  return JSON.stringify([
    {
      type: "unity_catalog_permission",
      securable_type: "table",
      securable_object_name: index,
      operation: write ? "WriteVectorIndex" : "ReadVectorIndex",
    },
  ]);
}

/**
 * `status.index_url` as an origin and a path. Real values have no scheme (the Python client prepends `https://`);
 * a bare loopback host keeps the workspace's scheme (a local emulator on http). Tokens are only sent over https,
 * or plain http on loopback.
 */
export function parseIndexUrl(indexUrl: string, workspaceHost: string): { origin: string; path: string } {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(indexUrl);
  let url: URL;
  try {
    url = new URL(hasScheme ? indexUrl : `https://${indexUrl}`);
    if (!hasScheme && isLoopbackHostname(url.hostname) && workspaceHost.startsWith("http:")) {
      url = new URL(`http://${indexUrl}`);
    }
  } catch {
    throw new ConfigError(`Vector Search index_url ${JSON.stringify(indexUrl)} is not a valid URL.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHostname(url.hostname))) {
    throw new ConfigError(
      `Vector Search index_url ${url.origin} is not https; refusing to send an index token there ` +
        '(use dataPlane: "workspace" to stay on the workspace URL).',
    );
  }
  return { origin: url.origin, path: url.pathname.replace(/\/+$/, "") };
}

/** Routes index data calls; one per {@link VectorSearchClient}. */
export class DataPlaneRouter {
  readonly mode: VectorSearchDataPlane;
  readonly #http: DatabricksHttpClient;
  readonly #getIndex: (name: string) => Promise<VectorIndex>;
  /** index -> its data-plane base (undefined: the workspace URL). Failed look-ups are dropped. */
  readonly #bases = new Map<string, Promise<{ origin: string; path: string } | undefined>>();
  /** `index\0read|write` -> scoped credentials (each single-flights and caches its own token). */
  readonly #credentials = new Map<string, Promise<Credentials | undefined>>();
  /** Set once the client's auth turned out not to be OAuth M2M: every data call then stays on the workspace. */
  #workspaceOnly = false;

  constructor(
    http: DatabricksHttpClient,
    mode: VectorSearchDataPlane,
    getIndex: (name: string) => Promise<VectorIndex>,
  ) {
    if (mode !== "auto" && mode !== "workspace") {
      throw new ConfigError(`dataPlane must be "auto" or "workspace", got ${JSON.stringify(mode)}.`);
    }
    this.mode = mode;
    this.#http = http;
    this.#getIndex = getIndex;
  }

  /** The route of `op` on `index`. */
  async route(index: string, op: string, signal?: AbortSignal): Promise<DataRoute> {
    const workspace: DataRoute = { path: `${API}/indexes/${pathSegment(index)}/${op}` };
    if (this.mode === "workspace" || this.#workspaceOnly || !DATA_PLANE_OPS.has(op)) return workspace;
    const cancelled = (sig: AbortSignal) =>
      new AbortError(`Cancelled: aborted while routing ${op} on index ${index}.`, { cause: sig.reason });
    if (signal?.aborted) throw cancelled(signal);
    const write = WRITE_OPS.has(op);
    const key = `${index}\u0000${write ? "write" : "read"}`;
    let creds = this.#credentials.get(key);
    if (!creds) {
      creds = this.#http.scopedCredentials(indexAuthorizationDetails(index, write));
      this.#credentials.set(key, creds);
      creds.catch(() => this.#credentials.delete(key));
    }
    // Shared look-ups (config, GET index) are raced against this caller's signal, never cancelled for the others.
    const credentials = await raceAbort(creds, signal, cancelled);
    if (!credentials) {
      this.#workspaceOnly = true; // not a service principal
      return workspace;
    }
    const base = await raceAbort(this.#base(index), signal, cancelled);
    if (!base) return { ...workspace, credentials };
    return { origin: base.origin, path: `${base.path}/${op}`, credentials };
  }

  /** Caches the data-plane URL of an index just read (GET index), so the first data call needs no second look-up. */
  remember(index: VectorIndex): void {
    const name = index.name;
    const url = index.status?.index_url;
    // Only a URL is remembered: a provisioning index may not have one yet.
    if (this.mode === "workspace" || typeof name !== "string" || typeof url !== "string" || url === "")
      return;
    if (this.#bases.has(name)) return;
    const base = this.#http.resolveConfig().then((config) => parseIndexUrl(url, config.host));
    this.#bases.set(name, base);
    base.catch(() => this.#bases.delete(name));
  }

  /** Forgets the cached index URL (e.g. after the index was re-created). */
  forget(index: string): void {
    this.#bases.delete(index);
  }

  #base(index: string): Promise<{ origin: string; path: string } | undefined> {
    let base = this.#bases.get(index);
    if (!base) {
      base = (async () => {
        const [idx, config] = await Promise.all([this.#getIndex(index), this.#http.resolveConfig()]);
        const url = idx.status?.index_url;
        return typeof url === "string" && url !== "" ? parseIndexUrl(url, config.host) : undefined;
      })();
      this.#bases.set(index, base);
      base.catch(() => this.#bases.delete(index));
    }
    return base;
  }
}
