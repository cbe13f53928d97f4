import { invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import { validateExternalModel } from "./external-model.js";
import type { TrafficRoute } from "./types.js";

export const NAME_RE = /^[A-Za-z0-9_-]+$/;
const MAX_NAME = 63;
const MAX_ENTITIES = 15;
const WORKLOAD_TYPES = new Set([
  "CPU",
  "CPU_MEDIUM",
  "CPU_LARGE",
  "GPU_SMALL",
  "GPU_MEDIUM",
  "GPU_LARGE",
  "GPU_XLARGE",
  "GPU_XLARGE_8",
  "MULTIGPU_MEDIUM",
]);
/** Fields an external-model entity must not carry (spec/serving.md 2.6). */
const NOT_WITH_EXTERNAL = [
  "entity_name",
  "entity_version",
  "workload_size",
  "workload_type",
  "scale_to_zero_enabled",
];
const PROVISIONED = [
  "min_provisioned_throughput",
  "max_provisioned_throughput",
  "min_provisioned_concurrency",
  "max_provisioned_concurrency",
  "provisioned_model_units",
];

export const validateEndpointName = (name: unknown): string => {
  if (name === undefined || name === null || name === "") {
    throw invalidParameter("Missing required field: name. Give the endpoint a name.");
  }
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw invalidParameter(
      `Invalid endpoint name ${JSON.stringify(name)}: an endpoint name can consist of alphanumeric characters, dashes, and underscores.`,
    );
  }
  if (name.length > MAX_NAME) {
    throw invalidParameter(`Endpoint name '${name}' is too long: use at most ${MAX_NAME} characters.`);
  }
  return name;
};

export interface ValidatedEntity {
  name: string;
  spec: JsonObject;
  plaintext?: Record<string, string>;
  external: boolean;
}

export interface ValidatedConfig {
  entities: ValidatedEntity[];
  routes: TrafficRoute[];
  autoCaptureConfig?: JsonObject;
}

/** Validates and defaults an `EndpointCoreConfigInput` (spec/serving.md 2.2, 2.5, 2.6). */
export const validateConfig = (raw: unknown, endpointName: string): ValidatedConfig => {
  if (!isObject(raw)) throw invalidParameter("config must be a JSON object.");
  const hasEntities = raw.served_entities !== undefined;
  const hasModels = raw.served_models !== undefined;
  if (hasEntities && hasModels) {
    throw invalidParameter("Only one of served_entities or served_models may be specified, not both.");
  }
  const list = hasEntities ? raw.served_entities : raw.served_models;
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidParameter("config needs at least one served entity in served_entities.");
  }
  if (list.length > MAX_ENTITIES) {
    throw invalidParameter(
      `An endpoint can serve at most ${MAX_ENTITIES} entities; got ${list.length}. Split them across endpoints.`,
    );
  }
  const entities = list.map((e, i) =>
    hasModels ? legacyEntity(e, `served_models[${i}]`) : servedEntity(e, `served_entities[${i}]`),
  );
  const names = new Set<string>();
  for (const e of entities) {
    if (names.has(e.name)) {
      throw invalidParameter(
        `Served entity name '${e.name}' is used twice; served entity names must be unique.`,
      );
    }
    names.add(e.name);
  }
  const external = entities.filter((e) => e.external);
  if (external.length > 0 && external.length !== entities.length) {
    throw invalidParameter("An endpoint cannot mix external models with other served entities.");
  }
  const tasks = new Set(external.map((e) => (e.spec.external_model as JsonObject).task));
  if (tasks.size > 1)
    throw invalidParameter("All external models served by one endpoint must share the same task.");
  const routes = validateTraffic(raw.traffic_config, entities);
  let autoCaptureConfig: JsonObject | undefined;
  if (raw.auto_capture_config !== undefined) {
    if (!isObject(raw.auto_capture_config)) throw invalidParameter("auto_capture_config must be an object.");
    autoCaptureConfig = { enabled: true, table_name_prefix: endpointName, ...raw.auto_capture_config };
  }
  return { entities, routes, autoCaptureConfig };
};

const checkEntityName = (name: unknown, where: string): string => {
  if (typeof name !== "string" || !NAME_RE.test(name)) {
    throw invalidParameter(
      `Invalid ${where}.name ${JSON.stringify(name)}: use alphanumeric characters, dashes and underscores.`,
    );
  }
  return name;
};

const version = (v: unknown, where: string, field: string): string => {
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return String(v);
  if (typeof v === "string" && /^[1-9][0-9]*$/.test(v)) return v;
  throw invalidParameter(`${where}.${field} must be a positive version number, e.g. "1".`);
};

const commonChecks = (e: JsonObject, where: string) => {
  if (e.workload_type !== undefined && !WORKLOAD_TYPES.has(String(e.workload_type))) {
    throw invalidParameter(
      `Invalid ${where}.workload_type ${JSON.stringify(e.workload_type)}; use one of ${[...WORKLOAD_TYPES].join(", ")}.`,
    );
  }
  if (e.workload_size !== undefined && (typeof e.workload_size !== "string" || e.workload_size === "")) {
    throw invalidParameter(`${where}.workload_size must be a string such as Small, Medium or Large.`);
  }
  if (e.scale_to_zero_enabled !== undefined && typeof e.scale_to_zero_enabled !== "boolean") {
    throw invalidParameter(`${where}.scale_to_zero_enabled must be a boolean.`);
  }
  if (e.environment_vars !== undefined && !isObject(e.environment_vars)) {
    throw invalidParameter(`${where}.environment_vars must be an object of string values.`);
  }
};

const servedEntity = (raw: unknown, where: string): ValidatedEntity => {
  if (!isObject(raw)) throw invalidParameter(`${where} must be an object.`);
  if (raw.external_model !== undefined) {
    for (const f of NOT_WITH_EXTERNAL) {
      if (raw[f] !== undefined) {
        throw invalidParameter(`${where}.${f} cannot be set together with external_model.`);
      }
    }
    const ext = validateExternalModel(raw.external_model, where);
    const name =
      raw.name !== undefined ? checkEntityName(raw.name, where) : String(ext.spec.name).replace(/[.:]/g, "-");
    return {
      name,
      spec: { ...raw, name, external_model: ext.spec },
      plaintext: ext.plaintext,
      external: true,
    };
  }
  if (typeof raw.entity_name !== "string" || raw.entity_name === "") {
    throw invalidParameter(`${where}.entity_name is required (or give an external_model).`);
  }
  commonChecks(raw, where);
  // Lenient default: real workspaces require entity_version for registered models; "1" keeps quick tests short.
  const entityVersion =
    raw.entity_version === undefined ? "1" : version(raw.entity_version, where, "entity_version");
  const lastSegment = raw.entity_name.split(".").pop() ?? raw.entity_name;
  const name = raw.name !== undefined ? checkEntityName(raw.name, where) : `${lastSegment}-${entityVersion}`;
  const provisioned = PROVISIONED.some((f) => raw[f] !== undefined);
  const spec: JsonObject = {
    ...raw,
    name,
    entity_version: entityVersion,
    workload_type: raw.workload_type ?? "CPU",
  };
  if (spec.workload_size === undefined && !provisioned) spec.workload_size = "Small";
  if (spec.scale_to_zero_enabled === undefined && !provisioned) spec.scale_to_zero_enabled = false;
  return { name, spec, external: false };
};

const legacyEntity = (raw: unknown, where: string): ValidatedEntity => {
  if (!isObject(raw)) throw invalidParameter(`${where} must be an object.`);
  if (typeof raw.model_name !== "string" || raw.model_name === "") {
    throw invalidParameter(`${where}.model_name is required.`);
  }
  const modelVersion = version(raw.model_version, where, "model_version");
  commonChecks(raw, where);
  const lastSegment = raw.model_name.split(".").pop() ?? raw.model_name;
  const name = raw.name !== undefined ? checkEntityName(raw.name, where) : `${lastSegment}-${modelVersion}`;
  const { model_name, model_version, ...rest } = raw;
  const spec: JsonObject = {
    ...rest,
    name,
    entity_name: model_name,
    entity_version: modelVersion,
    workload_type: raw.workload_type ?? "CPU",
    workload_size: raw.workload_size ?? "Small",
    scale_to_zero_enabled: raw.scale_to_zero_enabled ?? true,
  };
  return { name, spec, external: false };
};

const validateTraffic = (raw: unknown, entities: ValidatedEntity[]): TrafficRoute[] => {
  if (raw === undefined || (isObject(raw) && raw.routes === undefined)) {
    // Default: the whole traffic on a single entity; with several, an even split (remainder to the first).
    const share = Math.floor(100 / entities.length);
    return entities.map((e, i) => ({
      served_model_name: e.name,
      served_entity_name: e.name,
      traffic_percentage: share + (i === 0 ? 100 - share * entities.length : 0),
    }));
  }
  if (!isObject(raw) || !Array.isArray(raw.routes) || raw.routes.length === 0) {
    throw invalidParameter("traffic_config.routes must be a non-empty list of routes.");
  }
  const names = new Set(entities.map((e) => e.name));
  let sum = 0;
  const routes = raw.routes.map((r, i): TrafficRoute => {
    const at = `traffic_config.routes[${i}]`;
    if (!isObject(r)) throw invalidParameter(`${at} must be an object.`);
    const name = r.served_entity_name ?? r.served_model_name;
    if (
      r.served_entity_name !== undefined &&
      r.served_model_name !== undefined &&
      r.served_entity_name !== r.served_model_name
    ) {
      throw invalidParameter(`${at}: served_entity_name and served_model_name differ.`);
    }
    if (typeof name !== "string" || !names.has(name)) {
      throw invalidParameter(
        `${at} routes traffic to served entity ${JSON.stringify(name)}, which is not in this config. Known: ${[...names].join(", ")}.`,
      );
    }
    const pctRaw = r.traffic_percentage;
    const pct = typeof pctRaw === "string" && /^\d+$/.test(pctRaw) ? Number(pctRaw) : pctRaw;
    if (typeof pct !== "number" || !Number.isInteger(pct) || pct < 0 || pct > 100) {
      throw invalidParameter(`${at}.traffic_percentage must be an integer between 0 and 100.`);
    }
    sum += pct;
    return { served_model_name: name, served_entity_name: name, traffic_percentage: pct };
  });
  if (sum !== 100) throw invalidParameter(`Traffic percentages must add up to 100; they add up to ${sum}.`);
  const routed = new Set(routes.map((r) => r.served_entity_name));
  if (routed.size !== routes.length)
    throw invalidParameter("traffic_config.routes names a served entity twice.");
  if (entities.length > 1 && routed.size !== entities.length) {
    throw invalidParameter(
      "Every served entity needs a route in traffic_config when an endpoint serves several.",
    );
  }
  return routes;
};

const RATE_KEYS = new Set(["endpoint", "user", "user_group", "service_principal"]);

const checkRateLimit = (r: unknown, at: string, legacy: boolean): JsonObject => {
  if (!isObject(r)) throw invalidParameter(`${at} must be an object.`);
  if (r.renewal_period !== "minute") {
    throw invalidParameter(`${at}.renewal_period must be "minute" (the only supported renewal period).`);
  }
  const count = (f: string) => {
    const v = typeof r[f] === "string" && /^\d+$/.test(r[f] as string) ? Number(r[f]) : r[f];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw invalidParameter(`${at}.${f} must be a non-negative integer.`);
    }
    return v;
  };
  const calls = count("calls");
  const tokens = legacy ? undefined : count("tokens");
  if (calls === undefined && tokens === undefined) {
    throw invalidParameter(legacy ? `${at}.calls is required.` : `${at} needs calls and/or tokens.`);
  }
  const key = r.key ?? (legacy ? "user" : "endpoint");
  if (typeof key !== "string" || !RATE_KEYS.has(key) || (legacy && key !== "user" && key !== "endpoint")) {
    throw invalidParameter(
      `${at}.key must be one of ${legacy ? "user, endpoint" : "endpoint, user, user_group, service_principal"}.`,
    );
  }
  const out: JsonObject = { ...r, renewal_period: "minute", key };
  if (calls !== undefined) out.calls = calls;
  if (tokens !== undefined) out.tokens = tokens;
  return out;
};

export const validateLegacyRateLimits = (raw: unknown): JsonObject[] => {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidParameter("rate_limits must be a list.");
  return raw.map((r, i) => checkRateLimit(r, `rate_limits[${i}]`, true));
};

/** Validates `PUT .../ai-gateway` (spec/serving.md 2.2) and fills server defaults (table_name_prefix). */
export const validateAiGateway = (raw: JsonObject, endpointName: string): JsonObject => {
  const out: JsonObject = {};
  const usage = raw.usage_tracking_config;
  if (usage !== undefined) {
    if (!isObject(usage)) throw invalidParameter("usage_tracking_config must be an object.");
    out.usage_tracking_config = usage;
  }
  const table = raw.inference_table_config;
  if (table !== undefined) {
    if (!isObject(table)) throw invalidParameter("inference_table_config must be an object.");
    if (table.enabled === true) {
      for (const f of ["catalog_name", "schema_name"]) {
        if (typeof table[f] !== "string" || table[f] === "") {
          throw invalidParameter(
            `inference_table_config.${f} is required when the inference table is enabled.`,
          );
        }
      }
    }
    out.inference_table_config = { ...table, table_name_prefix: table.table_name_prefix ?? endpointName };
  }
  if (raw.rate_limits !== undefined) {
    if (!Array.isArray(raw.rate_limits)) throw invalidParameter("rate_limits must be a list.");
    out.rate_limits = raw.rate_limits.map((r, i) => checkRateLimit(r, `rate_limits[${i}]`, false));
  }
  if (raw.guardrails !== undefined) {
    if (!isObject(raw.guardrails)) throw invalidParameter("guardrails must be an object.");
    out.guardrails = raw.guardrails;
  }
  if (raw.fallback_config !== undefined) {
    if (!isObject(raw.fallback_config) || typeof raw.fallback_config.enabled !== "boolean") {
      throw invalidParameter("fallback_config must be an object with a boolean 'enabled'.");
    }
    out.fallback_config = raw.fallback_config;
  }
  return out;
};

export const validateTags = (raw: unknown, field: string): { key: string; value?: string }[] => {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidParameter(`${field} must be a list of {key, value} objects.`);
  return raw.map((t, i) => {
    if (!isObject(t) || typeof t.key !== "string" || t.key === "") {
      throw invalidParameter(`${field}[${i}].key is required.`);
    }
    if (t.value !== undefined && typeof t.value !== "string") {
      throw invalidParameter(`${field}[${i}].value must be a string.`);
    }
    return t.value === undefined ? { key: t.key } : { key: t.key, value: t.value };
  });
};
