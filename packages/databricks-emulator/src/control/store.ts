import type { Identity } from "../auth/identity.js";
import { ApiError, invalidParameter, notFound, permissionDenied } from "../errors.js";
import type { Clock } from "../util/clock.js";
import { newEndpointId } from "../util/ids.js";
import { clone, isObject, type JsonObject } from "../util/json.js";
import { checkStoredField, checkStoredFields } from "./field-limits.js";
import { requireLevel } from "./permissions.js";
import { secretRefsIn } from "./secret-refs.js";
import type { AclEntry, CoreConfig, EndpointRecord, ServedEntity } from "./types.js";
import {
  validateAiGateway,
  validateConfig,
  validateEndpointName,
  validateLegacyRateLimits,
  validateTags,
} from "./validate.js";

/** Top-level create fields handled explicitly; anything else is echoed back as given. */
const HANDLED = new Set(["name", "config", "tags", "ai_gateway", "rate_limits", "route_optimized", "task"]);
/** Echoed only if they are part of the real resource model (mlflow sends extras like is_feature_serving). */
const ECHOED = new Set([
  "description",
  "budget_policy_id",
  "usage_policy_id",
  "email_notifications",
  "telemetry_config",
  "uc_system_metrics_export_state",
]);

export interface EndpointsSnapshot {
  endpoints: EndpointRecord[];
}

export interface StoreOptions {
  clock: Clock;
  transitionMs: number;
  onChange: () => void;
  /** Task for a new custom endpoint from its first served entity (agent kinds set agent/v1/...). */
  taskFor: (entityName: string) => string | undefined;
  /** Throws the 403 envelope when `caller` may not reference secrets of `scope` (READ on the scope). */
  requireSecretRead?: (caller: Identity, scope: string) => void;
  /** Why a served entity cannot be deployed (e.g. its custom model was never registered); undefined if it can. */
  loadFailure?: (entity: ServedEntity) => string | undefined;
}

const notFoundEndpoint = (name: string) => notFound(`Endpoint with name '${name}' does not exist.`);

/**
 * Serving endpoints and their state machine (spec/serving.md 2.4). Transitions are evaluated lazily against the
 * emulator clock on every read (`settle`), so no timers run and `advanceClock` moves them forward.
 */
export class EndpointStore {
  private readonly byName = new Map<string, EndpointRecord>();
  private readonly byId = new Map<string, EndpointRecord>();

  constructor(
    private readonly opts: StoreOptions,
    snapshot?: EndpointsSnapshot,
  ) {
    for (const ep of snapshot?.endpoints ?? []) this.insert(ep);
  }

  private insert(ep: EndpointRecord): void {
    this.byName.set(ep.name, ep);
    this.byId.set(ep.id, ep);
  }

  /** Adds a pre-provisioned endpoint (foundation models); replaces a persisted copy so definitions stay current. */
  seed(ep: EndpointRecord): void {
    const old = this.byName.get(ep.name);
    if (old) this.byId.delete(old.id);
    this.insert(ep);
  }

  /** Endpoint by name with pending transitions applied; 404 envelope when missing. */
  get(name: string): EndpointRecord {
    const ep = this.byName.get(name);
    if (!ep) throw notFoundEndpoint(name);
    this.settle(ep);
    return ep;
  }

  find(name: string): EndpointRecord | undefined {
    const ep = this.byName.get(name);
    if (ep) this.settle(ep);
    return ep;
  }

  getById(id: string): EndpointRecord {
    const ep = this.byId.get(id);
    if (!ep) throw notFound(`Serving endpoint with id '${id}' does not exist.`);
    this.settle(ep);
    return ep;
  }

  list(): EndpointRecord[] {
    const all = [...this.byName.values()];
    for (const ep of all) this.settle(ep);
    return all;
  }

  settle(ep: EndpointRecord): void {
    const p = ep.pending;
    if (!p || p.failed || this.opts.clock.now() < p.readyAt) return;
    const failures: Record<string, string> = {};
    for (const e of p.config.servedEntities) {
      const why = this.opts.loadFailure?.(e);
      if (why !== undefined) failures[e.name] = why;
    }
    if (Object.keys(failures).length > 0) {
      p.fail = true;
      p.failures = failures;
    }
    if (p.fail) {
      p.failed = true;
    } else {
      ep.config = p.config;
      ep.pending = undefined;
    }
    ep.lastUpdatedTimestamp = Math.max(ep.lastUpdatedTimestamp, p.readyAt);
    this.opts.onChange();
  }

  create(caller: Identity, body: JsonObject): EndpointRecord {
    checkStoredFields(body);
    const name = validateEndpointName(body.name);
    if (this.byName.has(name)) {
      throw new ApiError(409, "RESOURCE_ALREADY_EXISTS", `Endpoint with name '${name}' already exists.`);
    }
    if (body.route_optimized !== undefined && typeof body.route_optimized !== "boolean") {
      throw invalidParameter("route_optimized must be a boolean.");
    }
    if (body.task !== undefined && typeof body.task !== "string")
      throw invalidParameter("task must be a string.");
    const now = this.opts.clock.now();
    const tags = validateTags(body.tags, "tags");
    const aiGateway =
      body.ai_gateway === undefined
        ? undefined
        : isObject(body.ai_gateway)
          ? validateAiGateway(body.ai_gateway, name)
          : (() => {
              throw invalidParameter("ai_gateway must be an object.");
            })();
    const rateLimits = validateLegacyRateLimits(body.rate_limits);
    const extra: JsonObject = {};
    for (const [k, v] of Object.entries(body)) if (!HANDLED.has(k) && ECHOED.has(k)) extra[k] = v;
    const ep: EndpointRecord = {
      id: newEndpointId(),
      name,
      creator: caller.name,
      creatorKind: caller.kind === "user" ? "User" : "ServicePrincipal",
      creatorDisplayName: caller.displayName,
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      tags,
      routeOptimized: body.route_optimized === true,
      extra,
      acl: [
        {
          kind: caller.kind === "user" ? "user_name" : "service_principal_name",
          principal: caller.name,
          level: "CAN_MANAGE",
        },
      ],
    };
    if (aiGateway) ep.aiGateway = aiGateway;
    if (rateLimits.length > 0) ep.rateLimits = rateLimits;
    if (body.config !== undefined) {
      const config = this.buildConfig(caller, body.config, name, 1, now);
      this.applyKind(ep, config, typeof body.task === "string" ? body.task : undefined);
      ep.pending = { config, startTime: now, readyAt: now + this.opts.transitionMs, fail: false };
    } else if (typeof body.task === "string") {
      ep.task = body.task;
    }
    this.insert(ep);
    this.opts.onChange();
    return ep;
  }

  delete(caller: Identity, name: string): void {
    const ep = this.get(name);
    this.assertWritable(ep);
    requireLevel(ep, caller, "CAN_MANAGE");
    this.byName.delete(name);
    this.byId.delete(ep.id);
    this.opts.onChange();
  }

  updateConfig(caller: Identity, name: string, body: JsonObject): EndpointRecord {
    const ep = this.get(name);
    this.assertWritable(ep);
    requireLevel(ep, caller, "CAN_MANAGE");
    if (ep.pending && !ep.pending.failed) {
      throw new ApiError(
        409,
        "RESOURCE_CONFLICT",
        `Endpoint '${name}' already has a config update in progress; wait until state.config_update is NOT_UPDATING.`,
      );
    }
    const now = this.opts.clock.now();
    checkStoredFields(body, "config.");
    const previous = ep.pending?.config.configVersion ?? ep.config?.configVersion ?? 0;
    const config = this.buildConfig(caller, body, name, previous + 1, now);
    const current = ep.config ?? ep.pending?.config;
    if (current) {
      const wasExternal = current.servedEntities.some((e) => e.spec.external_model !== undefined);
      const isExternal = config.servedEntities.some((e) => e.spec.external_model !== undefined);
      if (wasExternal !== isExternal) {
        throw invalidParameter(
          "An endpoint serving external models cannot be updated to serve other entities, or the other way round.",
        );
      }
    }
    this.applyKind(ep, config, undefined);
    ep.pending = {
      config,
      startTime: now,
      readyAt: now + this.opts.transitionMs,
      fail: ep.failNext === true,
    };
    ep.failNext = undefined;
    ep.lastUpdatedTimestamp = now;
    this.opts.onChange();
    return ep;
  }

  /** Admin: the in-flight update (or the next one) ends in UPDATE_FAILED. */
  failNextUpdate(name: string): void {
    const ep = this.get(name);
    if (ep.pending && !ep.pending.failed) ep.pending.fail = true;
    else ep.failNext = true;
    this.opts.onChange();
  }

  putAiGateway(caller: Identity, name: string, body: JsonObject): JsonObject {
    const ep = this.get(name);
    this.assertWritable(ep);
    requireLevel(ep, caller, "CAN_MANAGE");
    checkStoredFields(body, "ai_gateway.");
    ep.aiGateway = validateAiGateway(body, name);
    ep.lastUpdatedTimestamp = this.opts.clock.now();
    this.opts.onChange();
    return ep.aiGateway;
  }

  putRateLimits(caller: Identity, name: string, body: JsonObject): JsonObject[] {
    const ep = this.get(name);
    this.assertWritable(ep);
    requireLevel(ep, caller, "CAN_MANAGE");
    if (!ep.endpointType) {
      throw invalidParameter(
        `Rate limits are only supported for external model and foundation model endpoints; '${name}' serves custom models. Use PUT /api/2.0/serving-endpoints/${name}/ai-gateway instead.`,
      );
    }
    ep.rateLimits = validateLegacyRateLimits(body.rate_limits);
    this.opts.onChange();
    return ep.rateLimits;
  }

  patchTags(caller: Identity, name: string, body: JsonObject): { key: string; value?: string }[] {
    const ep = this.get(name);
    this.assertWritable(ep);
    requireLevel(ep, caller, "CAN_MANAGE");
    checkStoredFields(body);
    const add = validateTags(body.add_tags, "add_tags");
    const del = body.delete_tags ?? [];
    if (!Array.isArray(del) || del.some((k) => typeof k !== "string")) {
      throw invalidParameter("delete_tags must be a list of tag keys.");
    }
    const deleted = new Set(del as string[]);
    const map = new Map(ep.tags.filter((t) => !deleted.has(t.key)).map((t) => [t.key, t]));
    for (const t of add) map.set(t.key, t);
    ep.tags = [...map.values()];
    this.opts.onChange();
    return ep.tags;
  }

  patchField(caller: Identity, name: string, field: string, value: unknown): EndpointRecord {
    const ep = this.get(name);
    this.assertWritable(ep);
    requireLevel(ep, caller, "CAN_MANAGE");
    checkStoredField(field, value);
    ep.extra[field] = value;
    this.opts.onChange();
    return ep;
  }

  setAcl(ep: EndpointRecord, acl: AclEntry[]): void {
    ep.acl = acl;
    this.opts.onChange();
  }

  /** Puts the user endpoints back to `snapshot` (copied); pre-provisioned ones stay (rollback of a failed save). */
  restore(snapshot: EndpointsSnapshot): void {
    for (const ep of [...this.byName.values()]) {
      if (ep.readOnly) continue;
      this.byName.delete(ep.name);
      this.byId.delete(ep.id);
    }
    for (const ep of snapshot.endpoints) this.insert(clone(ep));
  }

  snapshot(): EndpointsSnapshot {
    return { endpoints: [...this.byName.values()].filter((e) => !e.readOnly).map((e) => clone(e)) };
  }

  /** Pre-provisioned foundation endpoints refuse every write (delete, config, ai-gateway, rate limits, tags...). */
  private assertWritable(ep: EndpointRecord): void {
    if (ep.readOnly) {
      throw permissionDenied(
        `Endpoint '${ep.name}' is a pre-provisioned Foundation Model API endpoint and is read-only.`,
      );
    }
  }

  private buildConfig(
    caller: Identity,
    raw: unknown,
    name: string,
    version: number,
    now: number,
  ): CoreConfig {
    const v = validateConfig(raw, name);
    // The creator's READ on every referenced scope, checked now and again at query time (data/external.ts).
    for (const e of v.entities)
      for (const ref of secretRefsIn(e.spec)) this.opts.requireSecretRead?.(caller, ref.scope);
    const servedEntities: ServedEntity[] = v.entities.map((e) => {
      const s: ServedEntity = { name: e.name, spec: e.spec, creator: caller.name, creationTimestamp: now };
      if (e.plaintext && Object.keys(e.plaintext).length > 0) s.plaintext = e.plaintext;
      return s;
    });
    const config: CoreConfig = { configVersion: version, servedEntities, routes: v.routes };
    if (v.autoCaptureConfig) config.autoCaptureConfig = v.autoCaptureConfig;
    return config;
  }

  private applyKind(ep: EndpointRecord, config: CoreConfig, explicitTask: string | undefined): void {
    const first = config.servedEntities[0]!.spec;
    const ext = first.external_model;
    if (isObject(ext)) {
      ep.endpointType = "EXTERNAL_MODEL";
      ep.task = String(ext.task);
      return;
    }
    ep.endpointType = undefined;
    const task = explicitTask ?? this.opts.taskFor(String(first.entity_name));
    if (task) ep.task = task;
  }
}
