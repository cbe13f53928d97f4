import { ConfigError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import { invocationsPath, servingEndpointPath } from "../serving-urls.js";
import { ServingEndpointsClient } from "./serving-endpoints.js";
import { type ClientOptions, httpClientFrom, requireName } from "./shared.js";
import type {
  CreateServingEndpointRequest,
  EndpointCoreConfig,
  EndpointTag,
  QueryInput,
  RateLimit,
  ServingEndpoint,
} from "./types.js";

/** Sent by MLflow's deployments client on every call; kept for server-side attribution parity. */
const CLIENT_HEADER = { "x-databricks-endpoints-api-client": "Databricks Deployment Client" };

/** Arguments of {@link DatabricksDeploymentClient.createEndpoint}. */
export interface CreateEndpointArgs {
  /** Endpoint name. Optional when `config` is a full payload carrying `name`. */
  name?: string;
  /**
   * Either the full API payload (`{ name, config: { served_entities }, tags?, ai_gateway?, route_optimized? }`),
   * or (legacy, as in the Databricks docs' Python example) just the endpoint config
   * (`{ served_entities, traffic_config?, tags?, rate_limits? }`).
   */
  config?: Record<string, unknown>;
  /** Route-optimized endpoint; must agree with `config.route_optimized` when both are given. */
  routeOptimized?: boolean;
}

/** `{ endpoint, config }` arguments of the update methods. */
export interface UpdateEndpointArgs<C = Record<string, unknown>> {
  endpoint: string;
  config: C;
}

/** Arguments of `predict` / `predictStream`. */
export interface PredictArgs {
  /** Endpoint name (MLflow's `deployment_name` alias is accepted too). */
  endpoint?: string;
  /** @deprecated MLflow alias of `endpoint`. */
  deploymentName?: string;
  /** Request body, sent verbatim. */
  inputs: QueryInput;
  signal?: AbortSignal;
  /** Per-attempt timeout, ms. @default 120_000 */
  timeout?: number;
}

let updateEndpointWarned = false;

function warnOnce(message: string): void {
  if (updateEndpointWarned) return;
  updateEndpointWarned = true;
  const proc = (globalThis as { process?: { emitWarning?: (m: string, t: string) => void } }).process;
  if (typeof proc?.emitWarning === "function") proc.emitWarning(message, "DeprecationWarning");
  else console.warn(message);
}

function endpointName(arg: string | { endpoint: string }): string {
  return requireName(typeof arg === "string" ? arg : arg?.endpoint, "`endpoint`");
}

/**
 * Builds the create payload exactly as MLflow's `create_endpoint` does, minus its `route_optimized` quirk
 * (MLflow's parameter defaults to `false`, so a payload `route_optimized: true` "conflicts" unless repeated).
 */
export function buildCreatePayload(args: CreateEndpointArgs): Record<string, unknown> {
  const { name, config, routeOptimized } = args;
  if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config))) {
    throw new ConfigError("createEndpoint: `config` must be an object.");
  }
  if (config && "config" in config) {
    const payload: Record<string, unknown> = { ...config };
    if (name !== undefined && payload.name !== undefined && payload.name !== name) {
      throw new ConfigError(
        `createEndpoint: name mismatch. Found '${name}' as parameter and '${String(payload.name)}' in config. ` +
          "Pass the name once (either is fine).",
      );
    }
    if (payload.name === undefined) payload.name = name;
    if (payload.name === undefined || payload.name === "") {
      throw new ConfigError("createEndpoint: the 'name' field is required (as `name` or `config.name`).");
    }
    if (routeOptimized !== undefined) {
      if (payload.route_optimized !== undefined && payload.route_optimized !== routeOptimized) {
        throw new ConfigError(
          `createEndpoint: conflicting 'route_optimized' values: ${String(routeOptimized)} as parameter, ` +
            `${String(payload.route_optimized)} in config. Keep one.`,
        );
      }
      payload.route_optimized = routeOptimized;
    }
    return payload;
  }
  if (name === undefined || name === "") {
    throw new ConfigError("createEndpoint: the 'name' field is required (as `name` or `config.name`).");
  }
  const { tags, rate_limits, task, route_optimized, ...core } = config ?? {};
  if (route_optimized !== undefined && routeOptimized !== undefined && route_optimized !== routeOptimized) {
    throw new ConfigError(
      `createEndpoint: conflicting 'route_optimized' values: ${String(routeOptimized)} as parameter, ${String(route_optimized)} in config.`,
    );
  }
  return {
    name,
    config: core,
    route_optimized: routeOptimized ?? route_optimized ?? false,
    ...(task !== undefined ? { task } : {}),
    ...(tags !== undefined ? { tags } : {}),
    ...(rate_limits !== undefined ? { rate_limits } : {}),
  };
}

/**
 * MLflow-deployments-style client for Databricks serving endpoints, keyword-style for TypeScript.
 * Obtain it with {@link getDeployClient}. Secret references (`{{secrets/scope/key}}`) pass through verbatim.
 *
 * @example
 * const client = getDeployClient("databricks");
 * await client.createEndpoint({ name: "my-chat", config: { served_entities: [{ name: "my-chat", external_model: {...} }] } });
 * const out = await client.predict({ endpoint: "my-chat", inputs: { messages: [{ role: "user", content: "Hi" }] } });
 */
export class DatabricksDeploymentClient {
  /** The underlying HTTP client. */
  readonly httpClient: DatabricksHttpClient;
  /** The target URI this client was made for ("databricks" or "databricks://<profile>"). */
  readonly targetUri: string;
  /** The REST client this MLflow-style surface is built on (same HTTP client). */
  readonly endpoints: ServingEndpointsClient;

  constructor(targetUri: string, options: ClientOptions = {}) {
    this.targetUri = targetUri;
    this.httpClient = httpClientFrom(options, CLIENT_HEADER);
    this.endpoints = new ServingEndpointsClient({ httpClient: this.httpClient });
  }

  /** Creates an endpoint (full payload or legacy `name` + endpoint config). */
  createEndpoint(args: CreateEndpointArgs): Promise<ServingEndpoint> {
    return this.endpoints.create(buildCreatePayload(args ?? {}) as unknown as CreateServingEndpointRequest);
  }

  /**
   * @deprecated Use updateEndpointConfig, updateEndpointTags, updateEndpointRateLimits or updateEndpointAiGateway.
   * Routes to `PUT .../rate-limits` when `config` has exactly the key `rate_limits`, else `PUT .../config`.
   */
  updateEndpoint(args: UpdateEndpointArgs): Promise<Record<string, unknown>> {
    warnOnce(
      "DatabricksDeploymentClient.updateEndpoint is deprecated: use updateEndpointConfig, updateEndpointTags, " +
        "updateEndpointRateLimits or updateEndpointAiGateway.",
    );
    const name = endpointName(args);
    const keys = Object.keys(args.config ?? {});
    const sub = keys.length === 1 && keys[0] === "rate_limits" ? "rate-limits" : "config";
    return this.#put(name, sub, args.config);
  }

  /** Replaces served entities / traffic config (`PUT .../config`). */
  updateEndpointConfig(args: UpdateEndpointArgs): Promise<ServingEndpoint> {
    return this.endpoints.updateConfig(endpointName(args), args.config as EndpointCoreConfig);
  }

  /** Adds/deletes tags (`PATCH .../tags`): `{ add_tags: [{key, value}], delete_tags: [key] }`. */
  updateEndpointTags(
    args: UpdateEndpointArgs<{ add_tags?: EndpointTag[]; delete_tags?: string[] }>,
  ): Promise<{ tags?: EndpointTag[] }> {
    const name = endpointName(args);
    return this.httpClient.request({
      method: "PATCH",
      path: servingEndpointPath(name, "tags"),
      body: args.config,
      endpoint: name,
    });
  }

  /** Sets legacy rate limits (`PUT .../rate-limits`): `{ rate_limits: [{ calls, key, renewal_period }] }`. */
  updateEndpointRateLimits(
    args: UpdateEndpointArgs<{ rate_limits: RateLimit[] }>,
  ): Promise<{ rate_limits?: RateLimit[] }> {
    return this.#put(endpointName(args), "rate-limits", args.config) as Promise<{
      rate_limits?: RateLimit[];
    }>;
  }

  /** Sets the AI Gateway config (`PUT .../ai-gateway`). */
  updateEndpointAiGateway(args: UpdateEndpointArgs): Promise<Record<string, unknown>> {
    return this.endpoints.putAiGateway(endpointName(args), args.config);
  }

  /** Gets an endpoint. */
  getEndpoint(endpoint: string | { endpoint: string }): Promise<ServingEndpoint> {
    return this.endpoints.get(endpointName(endpoint));
  }

  /** Lists endpoints: `[]` when the server answers `{}` (MLflow raises there). */
  listEndpoints(): Promise<ServingEndpoint[]> {
    return this.endpoints.list();
  }

  /** Deletes an endpoint; returns the (usually empty) response object. */
  deleteEndpoint(endpoint: string | { endpoint: string }): Promise<Record<string, unknown>> {
    const name = endpointName(endpoint);
    return this.httpClient.request({
      method: "DELETE",
      path: servingEndpointPath(name),
      endpoint: name,
    });
  }

  /** Queries an endpoint with `inputs` verbatim (`POST /serving-endpoints/{name}/invocations`). */
  predict<T = Record<string, unknown>>(args: PredictArgs): Promise<T> {
    const name = this.#predictTarget(args);
    return this.httpClient.request<T>({
      method: "POST",
      path: invocationsPath(name),
      body: args.inputs,
      endpoint: name,
      signal: args.signal,
      timeout: args.timeout,
    });
  }

  /** Streams a query (`{ ...inputs, stream: true }`), yielding each SSE chunk parsed as JSON. */
  predictStream<T = Record<string, unknown>>(args: PredictArgs): AsyncGenerator<T> {
    const name = this.#predictTarget(args);
    return this.endpoints.queryStream<T>(name, args.inputs, { signal: args.signal, timeout: args.timeout });
  }

  #predictTarget(args: PredictArgs): string {
    if (typeof args !== "object" || args === null)
      throw new ConfigError("predict: pass { endpoint, inputs }.");
    if (
      args.endpoint !== undefined &&
      args.deploymentName !== undefined &&
      args.endpoint !== args.deploymentName
    ) {
      throw new ConfigError("predict: `endpoint` and `deploymentName` differ; pass only `endpoint`.");
    }
    const name = requireName(args.endpoint ?? args.deploymentName, "predict `endpoint`");
    if (typeof args.inputs !== "object" || args.inputs === null || Array.isArray(args.inputs)) {
      throw new ConfigError("predict: `inputs` must be a JSON object (e.g. { messages: [...] }).");
    }
    return name;
  }

  #put(name: string, sub: string, config: unknown): Promise<Record<string, unknown>> {
    return this.httpClient.request({
      method: "PUT",
      path: servingEndpointPath(name, sub),
      body: config,
      endpoint: name,
    });
  }
}

/**
 * Returns a deployments client for `"databricks"` (default auth chain) or `"databricks://<profile>"` (that
 * profile of `~/.databrickscfg`). Extra auth options override what the URI implies.
 * @example
 * const client = getDeployClient("databricks://staging");
 * const endpoints = await client.listEndpoints();
 */
export function getDeployClient(
  targetUri = "databricks",
  authOptions: ClientOptions = {},
): DatabricksDeploymentClient {
  if (targetUri === "databricks") return new DatabricksDeploymentClient(targetUri, authOptions);
  const m = /^databricks:\/\/(.*)$/.exec(targetUri);
  if (!m) {
    throw new ConfigError(
      `Unsupported deployment target ${JSON.stringify(targetUri)}: use "databricks" or "databricks://<profile>".`,
    );
  }
  const rest = m[1]!;
  if (rest === "") return new DatabricksDeploymentClient(targetUri, authOptions);
  if (rest.includes(":")) {
    throw new ConfigError(
      `Deployment target "databricks://<scope>:<prefix>" reads credentials with dbutils, which only exists inside Databricks. ` +
        "Use a profile (databricks://<profile>) or pass host/token options.",
    );
  }
  return new DatabricksDeploymentClient(targetUri, { profile: rest, ...authOptions });
}
