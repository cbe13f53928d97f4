import pg from "pg";
import { type ClientOptions, httpClientFrom, requireName, seg } from "../clients/shared.js";
import { DatabricksConfigError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import { pollUntil } from "../utils/poll.js";
import { LakebaseCredentials } from "./credentials.js";
import {
  isAuthFailure,
  LakebaseConnectionError,
  LakebaseInstanceNotReadyError,
  toLakebaseError,
} from "./errors.js";

/** The real service's database and port (packages/databricks-emulator/spec/lakebase.md "Connecting"). */
export const LAKEBASE_DATABASE = "databricks_postgres";
export const LAKEBASE_PORT = 5432;

/** Options of {@link LakebasePool}: the workspace auth (or `httpClient`), the instance and `pg` pool settings. */
export interface LakebasePoolOptions extends ClientOptions {
  /** Name of the provisioned Lakebase database instance. */
  instanceName: string;
  /** @default "databricks_postgres" */
  database?: string;
  /** Postgres user. @default the workspace identity (`SCIM Me` userName) */
  user?: string;
  /** Overrides the host from the instance's `read_write_dns`. */
  host?: string;
  /** @default 5432 (or the port of a loopback `read_write_dns`, see docs/lakebase.md) */
  port?: number;
  /** TLS for `pg`. @default true (sslmode=require, certificate verified); false against a loopback host */
  ssl?: pg.PoolConfig["ssl"];
  /** @default 10 */
  max?: number;
  /** Recycle connections after this long (the Python peer: 840 s). 0 keeps them. @default 840 */
  maxLifetimeSeconds?: number;
  /** @default 30_000 */
  idleTimeoutMillis?: number;
  /** @default 30_000 */
  connectionTimeoutMillis?: number;
  /** Reuse a credential for at most this long. @default 900 */
  credentialCacheSeconds?: number;
  /** How long to wait for a STARTING instance to become AVAILABLE. @default 600_000 */
  instanceReadyTimeoutMs?: number;
  /** Other `pg` pool settings (host, user, password and ssl are managed). */
  pgOptions?: Omit<pg.PoolConfig, "host" | "port" | "user" | "password" | "database" | "ssl">;
}

interface InstanceInfo {
  state?: string;
  read_write_dns?: string;
  read_only_dns?: string;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|::1)$/;

/**
 * Where to connect for a `read_write_dns`. A `host:port` form is honoured only for a loopback host: that is how the
 * local emulator publishes its per-instance port; a real workspace always answers a plain DNS name (port 5432, TLS).
 */
export const endpointOf = (dns: string): { host: string; port: number; loopback: boolean } => {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(dns) ?? /^([^:]+):(\d+)$/.exec(dns);
  if (m?.[1] && LOOPBACK.test(m[1])) return { host: m[1], port: Number(m[2]), loopback: true };
  return { host: dns, port: LAKEBASE_PORT, loopback: LOOPBACK.test(dns) };
};

type ConnectCallback = (
  err: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/**
 * A `pg` pool for a Lakebase instance: resolves the instance's host through the Database Instances API, logs in as
 * the workspace identity with a database credential generated through the workspace auth (refreshed before it
 * expires, in the background), recycles connections every 14 minutes and retries a refused login once with a fresh
 * credential. Use it anywhere a `pg.Pool` goes.
 *
 * @example
 * const pool = new LakebasePool({ instanceName: "agent-memory" });
 * const { rows } = await pool.query("SELECT 1 AS one");
 * await pool.end();
 */
export class LakebasePool extends pg.Pool {
  readonly instanceName: string;
  /** The HTTP client of the workspace (credentials and instance lookups). */
  readonly httpClient: DatabricksHttpClient;
  /** The credential cache. */
  readonly credentials: LakebaseCredentials;
  readonly #options: LakebasePoolOptions;
  #resolved: Promise<void> | undefined;

  constructor(options: LakebasePoolOptions) {
    requireName(options?.instanceName, "Lakebase instanceName");
    const http = httpClientFrom(options);
    const credentials = new LakebaseCredentials(http, options.instanceName, {
      cacheSeconds: options.credentialCacheSeconds,
    });
    super({
      ...options.pgOptions,
      database: options.database ?? LAKEBASE_DATABASE,
      max: options.max ?? 10,
      maxLifetimeSeconds: options.maxLifetimeSeconds ?? 840,
      idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 30_000,
      keepAlive: true,
      password: () => credentials.token(),
    });
    this.instanceName = options.instanceName;
    this.httpClient = http;
    this.credentials = credentials;
    this.#options = options;
    // An idle connection that dies (instance deleted, server restart) is dropped by pg; without a listener the
    // 'error' event would crash the process. Checked-out connections report through their own queries.
    this.on("error", () => undefined);
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    const p = this.#connect();
    if (!callback) return p;
    p.then(
      (c) => callback(undefined, c, (r?: unknown) => c.release(r as Error | boolean | undefined)),
      (e: Error) => callback(e, undefined, () => undefined),
    );
    return undefined;
  }

  async #connect(): Promise<pg.PoolClient> {
    await this.#resolve();
    let authRetried = false;
    let relookedUp = false;
    for (;;) {
      try {
        return await super.connect();
      } catch (e) {
        if (isAuthFailure(e) && !authRetried) {
          // Refused: the credential may have been revoked or expired early. Once more with a fresh one.
          authRetried = true;
          this.credentials.invalidate();
          continue;
        }
        const err = toLakebaseError(e, `Connecting to Lakebase instance '${this.instanceName}'`);
        if (err instanceof LakebaseConnectionError && !relookedUp) {
          // The instance may have moved (restarted at a new address): look it up again, retry if it did.
          relookedUp = true;
          const before = `${this.options.host}:${this.options.port}`;
          this.#resolved = undefined;
          await this.#resolve().catch(() => undefined);
          if (`${this.options.host}:${this.options.port}` !== before) continue;
        }
        throw err;
      }
    }
  }

  /** Looks up host, port and user once (retried on the next connect if it failed). */
  #resolve(): Promise<void> {
    this.#resolved ??= this.#lookup().catch((e: unknown) => {
      this.#resolved = undefined;
      throw e;
    });
    return this.#resolved;
  }

  async #lookup(): Promise<void> {
    const o = this.#options;
    const info = await pollUntil({
      read: () =>
        this.httpClient.request<InstanceInfo>({
          method: "GET",
          path: `/api/2.0/database/instances/${seg(this.instanceName)}`,
        }),
      done: (i) => i.state === "AVAILABLE" && Boolean(i.read_write_dns || i.read_only_dns),
      backoff: { initialMs: 1_000, maxMs: 1_000 },
      timeoutMs: o.instanceReadyTimeoutMs ?? 600_000,
      timeoutError: (i) =>
        new LakebaseInstanceNotReadyError(
          `Lakebase instance '${this.instanceName}' is ${i.state ?? "in an unknown state"}, not AVAILABLE.`,
          { endpoint: this.instanceName },
        ),
    });
    const dns = (info.read_write_dns || info.read_only_dns) as string;
    const ep = endpointOf(dns);
    let user = o.user;
    if (!user) {
      const me = await this.httpClient.request<{ userName?: string }>({
        method: "GET",
        path: "/api/2.0/preview/scim/v2/Me",
      });
      if (!me.userName) throw new DatabricksConfigError("SCIM Me answered without a userName; pass `user`.");
      user = me.userName;
    }
    const opts = this.options as pg.PoolOptions;
    opts.host = o.host ?? ep.host;
    opts.port = o.port ?? ep.port;
    opts.user = user;
    opts.ssl = o.ssl ?? !ep.loopback;
  }
}
