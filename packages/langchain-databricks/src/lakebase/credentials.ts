import { randomUUID } from "node:crypto";
import type { DatabricksHttpClient } from "../http/client.js";

/** What `POST /api/2.0/database/credentials` answers (packages/databricks-emulator/spec/lakebase.md). */
interface CredentialResponse {
  token?: string;
  expiration_time?: string;
}

export interface LakebaseCredentialsOptions {
  /** Reuse a credential for at most this long (the Python bridge: 900 s). @default 900 */
  cacheSeconds?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Cached {
  token: string;
  /** Start a background refresh from here on. */
  refreshAt: number;
  /** Stop handing this token out from here on (a little before its expiry). */
  usableUntil: number;
}

/**
 * Database credentials for one Lakebase instance, generated through the workspace auth and cached. A credential
 * close to its refresh time is still handed out while a new one is fetched in the background, so queries never
 * wait for a refresh unless the credential has really run out. One fetch at a time. The token is never logged and
 * never put in an error.
 */
export class LakebaseCredentials {
  readonly #http: DatabricksHttpClient;
  readonly #instance: string;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #cached: Cached | undefined;
  #inflight: Promise<Cached> | undefined;
  /** How many credentials were fetched (observability and tests). */
  fetches = 0;

  constructor(http: DatabricksHttpClient, instanceName: string, options: LakebaseCredentialsOptions = {}) {
    this.#http = http;
    this.#instance = instanceName;
    this.#cacheMs = (options.cacheSeconds ?? 900) * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** A usable credential: the cached one, or a fresh one when it ran out. */
  async token(signal?: AbortSignal): Promise<string> {
    const now = this.#now();
    const c = this.#cached;
    if (c && now < c.usableUntil) {
      if (now >= c.refreshAt && !this.#inflight) this.#refresh(signal).catch(() => undefined);
      return c.token;
    }
    return (await this.#refresh(signal)).token;
  }

  /** Forgets the cached credential (after the server refused it). */
  invalidate(): void {
    this.#cached = undefined;
  }

  #refresh(signal?: AbortSignal): Promise<Cached> {
    this.#inflight ??= this.#fetch(signal).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(signal?: AbortSignal): Promise<Cached> {
    const fetchedAt = this.#now();
    const res = await this.#http.request<CredentialResponse>({
      method: "POST",
      path: "/api/2.0/database/credentials",
      body: { instance_names: [this.#instance], request_id: randomUUID() },
      ...(signal ? { signal } : {}),
    });
    this.fetches++;
    if (typeof res.token !== "string" || res.token === "") {
      throw new TypeError("POST /api/2.0/database/credentials answered without a token");
    }
    const parsed = res.expiration_time ? Date.parse(res.expiration_time) : Number.NaN;
    const expiresAt = Number.isFinite(parsed) ? parsed : fetchedAt + 3600_000;
    const lifetime = Math.max(0, expiresAt - fetchedAt);
    const cached: Cached = {
      token: res.token,
      // Refresh after 3/4 of the lifetime or the cache period, whichever comes first.
      refreshAt: fetchedAt + Math.min(this.#cacheMs, lifetime * 0.75),
      // Keep a margin for clock skew and the login round trip.
      usableUntil: expiresAt - Math.min(60_000, lifetime * 0.1),
    };
    this.#cached = cached;
    return cached;
  }
}
