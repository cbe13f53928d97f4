import { AbortError, ConfigError, OperationFailedError, TimeoutError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import { SERVING_ENDPOINTS_API as API, invocationsPath, servingEndpointPath } from "../serving-urls.js";
import { pollUntil } from "../utils/poll.js";
import { type CallOptions, type ClientOptions, httpClientFrom, pathSegment, requireName } from "./shared.js";
import type {
  AccessControlRequest,
  CreateServingEndpointRequest,
  EndpointCoreConfig,
  EndpointTag,
  PatchTagsRequest,
  QueryInput,
  QueryResponse,
  RateLimit,
  ServingEndpoint,
  ServingEndpointPermissions,
} from "./types.js";

const PERMS = "/api/2.0/permissions/serving-endpoints";

/** Options of {@link ServingEndpointsClient.waitForReady} and {@link ServingEndpointsClient.waitNotUpdating}. */
export interface WaitOptions {
  /** Give up after this many ms (throws `TimeoutError`). @default 1_200_000 (20 min, as the Databricks SDKs) */
  timeout?: number;
  /** First poll interval, ms; grows x1.5 per poll up to `maxPollIntervalMs`. @default 1_000 */
  pollIntervalMs?: number;
  /** Poll interval ceiling, ms. @default 10_000 */
  maxPollIntervalMs?: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
}

/** Options of {@link ServingEndpointsClient.query} / {@link ServingEndpointsClient.queryStream}. */
export interface QueryOptions extends CallOptions {
  /** Query one served entity directly (`/served-models/{name}/invocations`), bypassing the traffic split. */
  servedModel?: string;
  /** Streams only: fail if the stream ends without `data: [DONE]`. @default false */
  expectDone?: boolean;
}

/** An endpoint for the permissions API: its name (the id is looked up) or `{ id }`. */
export type EndpointRef = string | { id: string };

const FAILED_UPDATES = new Set(["UPDATE_FAILED", "UPDATE_CANCELED"]);

function failureMessage(e: ServingEndpoint): string {
  const entities = [...(e.pending_config?.served_entities ?? []), ...(e.config?.served_entities ?? [])];
  const msgs = entities
    .map((s) => s.state?.deployment_state_message)
    .filter((m): m is string => typeof m === "string" && m !== "");
  return msgs.length ? ` ${msgs.join("; ")}` : "";
}

/**
 * Serving endpoints control plane (`/api/2.0/serving-endpoints`) and data plane (`/serving-endpoints/{name}/invocations`).
 * Names are always URL-encoded.
 *
 * @example
 * const endpoints = new ServingEndpointsClient(); // DATABRICKS_HOST + DATABRICKS_TOKEN, or ~/.databrickscfg
 * const out = await endpoints.query("databricks-meta-llama-3-3-70b-instruct", { messages: [{ role: "user", content: "Hi" }] });
 */
export class ServingEndpointsClient {
  /** The underlying HTTP client (shareable with other clients and model classes). */
  readonly httpClient: DatabricksHttpClient;

  constructor(options: ClientOptions = {}) {
    this.httpClient = httpClientFrom(options);
  }

  /** Creates an endpoint (`POST /api/2.0/serving-endpoints`); returns immediately, see {@link waitForReady}. */
  create(request: CreateServingEndpointRequest, options: CallOptions = {}): Promise<ServingEndpoint> {
    requireName(request?.name, "Endpoint `name`");
    return this.httpClient.request<ServingEndpoint>({ method: "POST", path: API, body: request, ...options });
  }

  /** Gets one endpoint with its full state and config. */
  get(name: string, options: CallOptions = {}): Promise<ServingEndpoint> {
    requireName(name, "Endpoint name");
    return this.httpClient.request<ServingEndpoint>({
      method: "GET",
      path: servingEndpointPath(name),
      endpoint: name,
      ...options,
    });
  }

  /** Lists endpoints; `[]` when the workspace has none (the API then answers `{}`). */
  async list(options: CallOptions = {}): Promise<ServingEndpoint[]> {
    const res = await this.httpClient.request<{ endpoints?: ServingEndpoint[] }>({
      method: "GET",
      path: API,
      ...options,
    });
    return res.endpoints ?? [];
  }

  /** Deletes an endpoint. */
  async delete(name: string, options: CallOptions = {}): Promise<void> {
    requireName(name, "Endpoint name");
    await this.httpClient.request({
      method: "DELETE",
      path: servingEndpointPath(name),
      endpoint: name,
      ...options,
    });
  }

  /** Replaces the served entities / traffic config (`PUT .../config`); returns the endpoint with `pending_config`. */
  updateConfig(
    name: string,
    config: EndpointCoreConfig,
    options: CallOptions = {},
  ): Promise<ServingEndpoint> {
    requireName(name, "Endpoint name");
    return this.httpClient.request<ServingEndpoint>({
      method: "PUT",
      path: servingEndpointPath(name, "config"),
      body: config,
      endpoint: name,
      ...options,
    });
  }

  /** Sets the AI Gateway config (`PUT .../ai-gateway`); returns it with server-filled defaults. */
  putAiGateway(
    name: string,
    config: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<Record<string, unknown>> {
    requireName(name, "Endpoint name");
    return this.httpClient.request({
      method: "PUT",
      path: servingEndpointPath(name, "ai-gateway"),
      body: config,
      endpoint: name,
      ...options,
    });
  }

  /** Sets legacy rate limits (`PUT .../rate-limits`, deprecated by Databricks in favour of AI Gateway). */
  putRateLimits(
    name: string,
    rateLimits: RateLimit[] | { rate_limits: RateLimit[] },
    options: CallOptions = {},
  ): Promise<{ rate_limits?: RateLimit[] }> {
    requireName(name, "Endpoint name");
    const body = Array.isArray(rateLimits) ? { rate_limits: rateLimits } : rateLimits;
    return this.httpClient.request({
      method: "PUT",
      path: servingEndpointPath(name, "rate-limits"),
      body,
      endpoint: name,
      ...options,
    });
  }

  /** Adds and/or deletes tags (`PATCH .../tags`); returns the resulting tag list (`[]` when none remain). */
  async patchTags(name: string, patch: PatchTagsRequest, options: CallOptions = {}): Promise<EndpointTag[]> {
    requireName(name, "Endpoint name");
    const res = await this.httpClient.request<{ tags?: EndpointTag[] }>({
      method: "PATCH",
      path: servingEndpointPath(name, "tags"),
      body: patch,
      endpoint: name,
      ...options,
    });
    return res.tags ?? [];
  }

  /** The endpoint's OpenAPI document, as text (`GET .../openapi`). */
  getOpenApi(name: string, options: CallOptions = {}): Promise<string> {
    requireName(name, "Endpoint name");
    return this.httpClient.request<string>({
      method: "GET",
      path: servingEndpointPath(name, "openapi"),
      headers: { accept: "text/plain" },
      responseType: "text",
      endpoint: name,
      ...options,
    });
  }

  /** Build logs of one served model (`GET .../served-models/{m}/build-logs`). */
  async buildLogs(name: string, servedModel: string, options: CallOptions = {}): Promise<string> {
    return this.#logs(name, servedModel, "build-logs", options);
  }

  /** Service logs of one served model (`GET .../served-models/{m}/logs`). */
  async logs(name: string, servedModel: string, options: CallOptions = {}): Promise<string> {
    return this.#logs(name, servedModel, "logs", options);
  }

  async #logs(name: string, servedModel: string, kind: string, options: CallOptions): Promise<string> {
    requireName(name, "Endpoint name");
    requireName(servedModel, "Served model name");
    const res = await this.httpClient.request<{ logs?: string }>({
      method: "GET",
      path: `${API}/${pathSegment(name)}/served-models/${pathSegment(servedModel)}/${kind}`,
      endpoint: name,
      ...options,
    });
    return res.logs ?? "";
  }

  /** Permissions of an endpoint (`GET /api/2.0/permissions/serving-endpoints/{id}`); a name is resolved to its id. */
  async getPermissions(
    endpoint: EndpointRef,
    options: CallOptions = {},
  ): Promise<ServingEndpointPermissions> {
    const id = await this.#id(endpoint, options);
    return this.httpClient.request({ method: "GET", path: `${PERMS}/${pathSegment(id)}`, ...options });
  }

  /** Replaces the direct ACL (`PUT`). */
  setPermissions(
    endpoint: EndpointRef,
    acl: AccessControlRequest[],
    options: CallOptions = {},
  ): Promise<ServingEndpointPermissions> {
    return this.#writePermissions("PUT", endpoint, acl, options);
  }

  /** Merges entries into the ACL (`PATCH`). */
  updatePermissions(
    endpoint: EndpointRef,
    acl: AccessControlRequest[],
    options: CallOptions = {},
  ): Promise<ServingEndpointPermissions> {
    return this.#writePermissions("PATCH", endpoint, acl, options);
  }

  async #writePermissions(
    method: "PUT" | "PATCH",
    endpoint: EndpointRef,
    acl: AccessControlRequest[],
    options: CallOptions,
  ): Promise<ServingEndpointPermissions> {
    const id = await this.#id(endpoint, options);
    return this.httpClient.request({
      method,
      path: `${PERMS}/${pathSegment(id)}`,
      body: { access_control_list: acl },
      ...options,
    });
  }

  /** Permission levels assignable on an endpoint. */
  async getPermissionLevels(
    endpoint: EndpointRef,
    options: CallOptions = {},
  ): Promise<Array<{ permission_level: string; description?: string }>> {
    const id = await this.#id(endpoint, options);
    const res = await this.httpClient.request<{
      permission_levels?: Array<{ permission_level: string; description?: string }>;
    }>({
      method: "GET",
      path: `${PERMS}/${pathSegment(id)}/permissionLevels`,
      ...options,
    });
    return res.permission_levels ?? [];
  }

  async #id(endpoint: EndpointRef, options: CallOptions): Promise<string> {
    if (typeof endpoint === "object" && endpoint !== null) return requireName(endpoint.id, "Endpoint `id`");
    const e = await this.get(endpoint, options);
    if (!e.id)
      throw new ConfigError(`Endpoint "${endpoint}" has no id in its GET response; pass { id } instead.`);
    return e.id;
  }

  /**
   * Queries an endpoint (`POST /serving-endpoints/{name}/invocations`). The body is sent verbatim: any input
   * format (`dataframe_split`, `dataframe_records`, `instances`, `inputs` + `params`, `messages`, `prompt`,
   * `input`) and parameters. Returns the JSON with `served_model_name` from the `served-model-name` header.
   * @example
   * await endpoints.query("my-model", { dataframe_records: [{ x: 1 }] }); // { predictions: [...], served_model_name: "m-1" }
   */
  async query<T = Record<string, unknown>>(
    name: string,
    body: QueryInput,
    options: QueryOptions = {},
  ): Promise<QueryResponse<T>> {
    requireName(name, "Endpoint name");
    const res = await this.httpClient.requestWithMeta<QueryResponse<T>>({
      method: "POST",
      path: this.#invocationsPath(name, options.servedModel),
      body: this.#checkBody(body),
      endpoint: name,
      signal: options.signal,
      timeout: options.timeout,
      maxRetries: options.maxRetries,
    });
    const served = res.headers["served-model-name"];
    const data = res.data;
    if (served !== undefined && typeof data === "object" && data !== null && !Array.isArray(data)) {
      (data as { served_model_name?: string }).served_model_name = served;
    }
    return data;
  }

  /**
   * Streams a query (`stream: true` is added to the body); yields each SSE chunk as parsed JSON.
   * @example
   * for await (const chunk of endpoints.queryStream("my-chat", { messages })) process.stdout.write(chunk.choices[0].delta.content ?? "");
   */
  queryStream<T = Record<string, unknown>>(
    name: string,
    body: QueryInput,
    options: QueryOptions = {},
  ): AsyncGenerator<T> {
    requireName(name, "Endpoint name");
    return this.httpClient.stream<T>({
      method: "POST",
      path: this.#invocationsPath(name, options.servedModel),
      body: { ...this.#checkBody(body), stream: true },
      endpoint: name,
      signal: options.signal,
      timeout: options.timeout,
      maxRetries: options.maxRetries,
      expectDone: options.expectDone,
    });
  }

  #invocationsPath(name: string, servedModel: string | undefined): string {
    return invocationsPath(
      name,
      servedModel === undefined ? undefined : requireName(servedModel, "`servedModel`"),
    );
  }

  #checkBody(body: QueryInput): QueryInput {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ConfigError(
        "Query body must be a JSON object, e.g. { dataframe_records: [...] } or { messages: [...] }; wrap arrays in `instances` or `inputs`.",
      );
    }
    return body;
  }

  /**
   * Polls until the endpoint is `READY` and `NOT_UPDATING`. Throws `OperationFailedError` on `UPDATE_FAILED` /
   * `UPDATE_CANCELED` (or when it is idle, not ready and has no config to deploy), `TimeoutError` on timeout.
   * @example await endpoints.waitForReady("my-chat", { timeout: 600_000 });
   */
  waitForReady(name: string, options: WaitOptions = {}): Promise<ServingEndpoint> {
    return this.#wait(name, options, (e) => {
      const update = e.state?.config_update;
      if (update === "NOT_UPDATING" || update === undefined) {
        if (e.state?.ready === "READY") return true;
        if (!e.config && !e.pending_config) {
          throw new OperationFailedError(
            `Endpoint "${name}" is NOT_READY and has no config to deploy; add one with updateConfig().`,
            { endpoint: name },
          );
        }
      }
      return false;
    });
  }

  /** Polls until no config update is in progress (`NOT_UPDATING`); failure states throw `OperationFailedError`. */
  waitNotUpdating(name: string, options: WaitOptions = {}): Promise<ServingEndpoint> {
    return this.#wait(name, options, (e) => e.state?.config_update !== "IN_PROGRESS");
  }

  async #wait(
    name: string,
    options: WaitOptions,
    done: (e: ServingEndpoint) => boolean,
  ): Promise<ServingEndpoint> {
    requireName(name, "Endpoint name");
    const timeout = options.timeout ?? 1_200_000;
    return pollUntil({
      read: () => this.get(name, { signal: options.signal }),
      backoff: { initialMs: options.pollIntervalMs ?? 1_000, maxMs: options.maxPollIntervalMs ?? 10_000 },
      timeoutMs: timeout,
      signal: options.signal,
      abortError: () => new AbortError("Cancelled: wait aborted."),
      done: (last) => {
        const update = last.state?.config_update;
        if (update !== undefined && FAILED_UPDATES.has(update)) {
          throw new OperationFailedError(
            `Endpoint "${name}" config update ended in ${update}.${failureMessage(last)}`,
            {
              endpoint: name,
              errorCode: update,
            },
          );
        }
        return done(last);
      },
      timeoutError: (last) =>
        new TimeoutError(
          `Endpoint "${name}" not ready after ${timeout} ms (state ${JSON.stringify(last.state ?? {})}). Raise \`timeout\`.`,
          { endpoint: name },
        ),
    });
  }
}
