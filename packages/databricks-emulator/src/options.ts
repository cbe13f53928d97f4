import type { FaultRule, StatsSnapshot } from "./faults/types.js";
import type { UnityCatalog } from "./sql/catalog.js";
import type { StatementOptions, StatementState } from "./sql/statements.js";

/** One input/output column of an MLflow-style model signature (informational; echoed by `/openapi`). */
export interface SignatureColumn {
  name?: string;
  type: string;
}

/** A custom model registered by `entity_name`: the emulator's stand-in for an MLflow pyfunc model. */
export interface CustomModel {
  /**
   * Called with the request converted to records (`dataframe_split` / `dataframe_records` / `instances` /
   * `inputs`) and `params`; the return value becomes `{"predictions": <value>}`.
   * For `kind: "chat-agent" | "responses-agent"` it receives the whole request body instead and its return value is
   * the response body (a ChatAgent or Responses object).
   */
  predict(records: unknown, params: Record<string, unknown> | undefined): unknown;
  /** Optional streaming variant for agent kinds: yields the JSON events written as SSE `data:` lines. */
  predictStream?(
    body: Record<string, unknown>,
  ): Iterable<Record<string, unknown>> | AsyncIterable<Record<string, unknown>>;
  signature?: { inputs?: SignatureColumn[]; outputs?: SignatureColumn[] };
  /** `pyfunc` (default) answers `{"predictions": ...}`; agent kinds answer agent shapes and set the endpoint task. */
  kind?: "pyfunc" | "chat-agent" | "responses-agent";
}

export type CustomModels = Record<string, CustomModel>;

/** An extra PAT user (for permission tests). */
export interface UserSpec {
  userName: string;
  /** PAT for this user; generated when omitted (read it back from `handle.users`). */
  token?: string;
  displayName?: string;
  groups?: string[];
  /** Workspace admin: implicit CAN_MANAGE on every endpoint and MANAGE on every secret scope. */
  admin?: boolean;
}

export interface ServicePrincipalSpec {
  clientId: string;
  clientSecret: string;
  name?: string;
  groups?: string[];
  admin?: boolean;
}

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a random free port. */
  port?: number;
  /** Bind address; defaults to loopback 127.0.0.1. */
  host?: string;
  /** PAT of the default admin user; a `dapi...` token is generated (and persisted with `dataDir`) when omitted. */
  token?: string;
  /** Custom models keyed by `entity_name`. */
  models?: CustomModels;
  /** Extra cluster ids for the driver proxy (a default cluster always exists). */
  clusters?: string[];
  /** Delay before an endpoint config update becomes ready, on the emulator clock. Default 200 ms. */
  transitionMs?: number;
  /** Directory for durable state; in-memory when omitted. */
  dataDir?: string;
  servicePrincipals?: ServicePrincipalSpec[];
  users?: UserSpec[];
  /** Lifetime of Lakebase database credentials (`POST /api/2.0/database/credentials`). Default 3600. */
  databaseCredentialTtlSeconds?: number;
  /** Lifetime of OAuth access tokens issued by `/oidc/v1/token`. Default 3600. */
  tokenTtlSeconds?: number;
  /** Enables the HTTP admin/fault API under `/__emulator/`. The programmatic `admin` API always works. */
  faults?: boolean;
  /**
   * Keep the per-request log (method, path, status, principal, body hash) returned by `admin.stats().log`.
   * Default true; `false` keeps only counters (a slightly leaner hot path for benchmarks).
   */
  requestLog?: boolean;
  /** Maximum request body size in bytes. Default 16 MiB. */
  bodyLimit?: number;
  /** Workspace id reported by discovery; generated (and persisted with `dataDir`) when omitted. */
  workspaceId?: string;
  /**
   * Which pre-provisioned foundation endpoints (`databricks-*`, spec/serving.md 2.7) the workspace has. Default: all.
   * `false` seeds none, for tests of the truly empty workspace (`GET /api/2.0/serving-endpoints` -> `{}`);
   * a list of endpoint names seeds only those.
   */
  foundationModels?: false | string[];
  /**
   * Default `openai_api_base` for external `openai` models that do not set one (CLI `--external-base-url`).
   * Default: the emulator's own OpenAI-compatible route (`openaiApiBase`), so the seed's exact
   * `create_endpoint` config (no `openai_api_base`) runs offline; with `allowExternalNetwork` the real
   * `https://api.openai.com/v1`.
   */
  defaultOpenAiApiBase?: string;
  /**
   * Let external-model endpoints call providers outside this machine (CLI `--allow-external-network`).
   * Default false: every external call must go to a loopback address (the emulator's local OpenAI-compatible
   * route by default); any other provider URL is refused with a 400 naming this option.
   */
  allowExternalNetwork?: boolean;
  /**
   * Databricks authentication on workspace routes. Default true. `false` (benchmarks, quick demos) treats every
   * request as the default admin unless it carries a valid token of another principal.
   */
  auth?: boolean;
  /**
   * Inclusive range of driver ports the driver proxy forwards to. Default `[3000, 8000]` (the seed's rule);
   * widen it for tests whose apps listen on random ports. The emulator's own port is never forwarded to.
   */
  driverProxyPorts?: [number, number];
  /**
   * Cluster permissions granted at start (`CAN_ATTACH_TO` by default), so non-admin principals can use the driver
   * proxy; omit `clusterId` for every registered cluster. Admins can always attach; the rest is
   * `/api/2.0/permissions/clusters/{id}`.
   */
  clusterAccess?: {
    principal: string;
    clusterId?: string;
    level?: "CAN_ATTACH_TO" | "CAN_RESTART" | "CAN_MANAGE";
  }[];
  /**
   * Serve HTTPS: a local CA and a leaf certificate for localhost, 127.0.0.1 and ::1 are generated (kept in
   * `dataDir/tls/` and reused across restarts when `dataDir` is set). Clients trust `handle.tls.caPath`
   * (`NODE_EXTRA_CA_CERTS`, `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`). With `port: 443`, clients that force
   * `https://<host>` without a port (the official JS SDK, `@databricks/langchainjs`) work unchanged.
   */
  tls?: boolean;
  /** Log one line per request to stderr. Default false (keeps the hot path lean). */
  logRequests?: boolean;
  /**
   * Unity Catalog tables loaded at start: `{ "main.default.docs": "./docs.parquet" }` (CSV, Parquet, JSON/JSONL).
   * An existing table of that name is replaced.
   */
  tables?: Record<string, string>;
  /** SQL warehouse tuning (result chunk sizes, external link lifetime, ai_query concurrency). */
  sql?: StatementOptions;
}

export interface AdminApi {
  /** Replaces the active fault rules (see `FaultRule`). `seed` makes rate-based faults reproducible. */
  setFaults(rules: FaultRule[], seed?: number): void;
  clearFaults(): void;
  /** Per-route counters, plus the recent request log with body hashes (unless `requestLog: false`). */
  stats(): StatsSnapshot;
  resetStats(): void;
  /** Makes every issued token (PATs and OAuth tokens) invalid from now on. */
  expireTokens(): void;
  /** Moves the emulator clock forward (token expiry, endpoint transitions, rate-limit windows). */
  advanceClock(ms: number): void;
  /** Current emulator clock in epoch ms. */
  now(): number;
  /** Makes the in-flight (or next) config update of `endpointName` end in UPDATE_FAILED. */
  failNextUpdate(endpointName: string): void;
  /** Makes every Lakebase database credential issued so far invalid for new logins (open connections stay). */
  revokeDatabaseCredentials(): void;
  /** Registers or replaces a custom model at runtime. */
  registerModel(entityName: string, model: CustomModel): void;
}

export interface EmulatorUserInfo {
  userName: string;
  token: string;
}

export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  url: string;
  host: string;
  port: number;
  /** PAT of the default admin user. */
  token: string;
  /** User name (email) of the default admin user. */
  userName: string;
  workspaceId: string;
  /** OpenAI-compatible base URL served by the built-in engine (any non-empty Bearer key). */
  openaiApiBase: string;
  defaultClusterId: string;
  /** Id of the default SQL warehouse (`DATABRICKS_WAREHOUSE_ID`), RUNNING at start. */
  warehouseId: string;
  /** The SQL side in process: Unity Catalog (read tables, grants) and statement outcomes. */
  sql: {
    unityCatalog: UnityCatalog;
    /** Waits for a statement to finish; `executionMs` is the emulator's own execution time (benchmarks). */
    statementExecution(statementId: string): Promise<{ state: StatementState; executionMs?: number }>;
  };
  /** Extra users created from `options.users`, with their tokens. */
  users: EmulatorUserInfo[];
  registerCluster(id: string): void;
  /** With `tls: true`: the CA clients must trust, as a file path and as PEM. */
  tls?: { caPath: string; caPem: string };
  admin: AdminApi;
  close(): Promise<void>;
}
