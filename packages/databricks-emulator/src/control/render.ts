import type { JsonObject } from "../util/json.js";
import type { CoreConfig, EndpointRecord, PermissionLevel, ServedEntity } from "./types.js";

type DeploymentState = "DEPLOYMENT_CREATING" | "DEPLOYMENT_READY" | "DEPLOYMENT_FAILED";

const STATE_MESSAGE: Record<DeploymentState, string> = {
  DEPLOYMENT_CREATING: "Creating resources for served entity.",
  DEPLOYMENT_READY: "",
  DEPLOYMENT_FAILED:
    "Served entity deployment failed: the update was marked as failed (injected by the emulator).",
};

const renderEntity = (
  e: ServedEntity,
  deployment: DeploymentState,
  failures?: Record<string, string>,
): JsonObject => ({
  ...e.spec,
  creator: e.creator,
  creation_timestamp: e.creationTimestamp,
  state: { deployment, deployment_state_message: failures?.[e.name] ?? STATE_MESSAGE[deployment] },
});

/** Legacy `served_models` mirror: real servers return it alongside `served_entities`. */
const legacyMirror = (entity: JsonObject): JsonObject | undefined => {
  if (entity.external_model !== undefined || entity.foundation_model !== undefined) return undefined;
  const { entity_name, entity_version, ...rest } = entity;
  return { ...rest, model_name: entity_name, model_version: entity_version };
};

const renderConfig = (
  c: CoreConfig,
  deployment: DeploymentState,
  failures?: Record<string, string>,
): JsonObject => {
  const served = c.servedEntities.map((e) => renderEntity(e, deployment, failures));
  const out: JsonObject = { served_entities: served };
  const mirror = served.map(legacyMirror).filter((m): m is JsonObject => m !== undefined);
  if (mirror.length > 0) out.served_models = mirror;
  out.traffic_config = { routes: c.routes.map((r) => ({ ...r })) };
  if (c.autoCaptureConfig) out.auto_capture_config = c.autoCaptureConfig;
  out.config_version = c.configVersion;
  return out;
};

export const endpointState = (ep: EndpointRecord): JsonObject => ({
  ready: ep.config ? "READY" : "NOT_READY",
  config_update: ep.pending ? (ep.pending.failed ? "UPDATE_FAILED" : "IN_PROGRESS") : "NOT_UPDATING",
  suspend: "NOT_SUSPENDED",
});

const common = (ep: EndpointRecord): JsonObject => {
  const out: JsonObject = { name: ep.name, id: ep.id };
  if (ep.creator) out.creator = ep.creator;
  out.creation_timestamp = ep.creationTimestamp;
  out.last_updated_timestamp = ep.lastUpdatedTimestamp;
  out.state = endpointState(ep);
  return out;
};

/** `ServingEndpointDetailed` (GET, create, update-config responses). */
export const renderDetailed = (ep: EndpointRecord, level: PermissionLevel): JsonObject => {
  const out = common(ep);
  if (ep.config) out.config = renderConfig(ep.config, "DEPLOYMENT_READY");
  if (ep.pending) {
    const c = renderConfig(
      ep.pending.config,
      ep.pending.failed ? "DEPLOYMENT_FAILED" : "DEPLOYMENT_CREATING",
      ep.pending.failed ? ep.pending.failures : undefined,
    );
    out.pending_config = { start_time: ep.pending.startTime, ...c };
  }
  if (ep.task) out.task = ep.task;
  if (ep.tags.length > 0) out.tags = ep.tags.map((t) => ({ ...t }));
  if (ep.aiGateway) out.ai_gateway = ep.aiGateway;
  if (ep.rateLimits && ep.rateLimits.length > 0) out.rate_limits = ep.rateLimits;
  out.route_optimized = ep.routeOptimized;
  if (ep.endpointType) out.endpoint_type = ep.endpointType;
  if (ep.capabilities) out.capabilities = ep.capabilities;
  if (ep.creatorKind) out.creator_kind = ep.creatorKind;
  if (ep.creatorDisplayName) out.creator_display_name = ep.creatorDisplayName;
  out.permission_level = level;
  Object.assign(out, ep.extra);
  return out;
};

/** `ServingEndpoint` summary used by list. */
export const renderSummary = (ep: EndpointRecord): JsonObject => {
  const out = common(ep);
  const active = ep.config ?? ep.pending?.config;
  if (active) {
    const config: JsonObject = {
      served_entities: active.servedEntities.map((e) => {
        const s: JsonObject = { name: e.name };
        for (const f of ["entity_name", "entity_version", "external_model", "foundation_model"]) {
          if (e.spec[f] !== undefined) s[f] = e.spec[f];
        }
        return s;
      }),
    };
    // The SDK's summary also has the legacy mirror `served_models: [{name, model_name, model_version}]`
    // (spec/serving.md 2.1), for the same entities the detailed view mirrors.
    const models = active.servedEntities
      .filter((e) => e.spec.external_model === undefined && e.spec.foundation_model === undefined)
      .map((e) => ({ name: e.name, model_name: e.spec.entity_name, model_version: e.spec.entity_version }));
    if (models.length > 0) config.served_models = models;
    out.config = config;
  }
  if (ep.task) out.task = ep.task;
  if (ep.tags.length > 0) out.tags = ep.tags.map((t) => ({ ...t }));
  if (ep.aiGateway) out.ai_gateway = ep.aiGateway;
  if (ep.endpointType) out.endpoint_type = ep.endpointType;
  if (ep.capabilities) out.capabilities = ep.capabilities;
  if (typeof ep.extra.description === "string") out.description = ep.extra.description;
  return out;
};
