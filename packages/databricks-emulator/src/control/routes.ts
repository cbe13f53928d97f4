import type { FastifyInstance, FastifyRequest } from "fastify";
import { caller, type EmulatorContext } from "../context.js";
import { invalidParameter, notFound } from "../errors.js";
import { jsonObject } from "../http/body.js";
import type { JsonObject } from "../util/json.js";
import { openApiDocument } from "./openapi.js";
import {
  effectiveLevel,
  mergeAcl,
  PERMISSION_LEVELS,
  parseAcl,
  renderPermissions,
  requireLevel,
} from "./permissions.js";
import { renderDetailed, renderSummary } from "./render.js";
import type { EndpointRecord, ServedEntity } from "./types.js";

type NameParams = { name: string };
type ServedParams = { name: string; served: string };
type IdParams = { id: string };

const BASE = "/api/2.0/serving-endpoints";

const servedEntityOf = (ep: EndpointRecord, served: string): ServedEntity => {
  const all = [...(ep.config?.servedEntities ?? []), ...(ep.pending?.config.servedEntities ?? [])];
  const e = all.find((s) => s.name === served);
  if (!e) throw notFound(`Served model '${served}' does not exist in endpoint '${ep.name}'.`);
  if (e.spec.external_model !== undefined || e.spec.foundation_model !== undefined) {
    throw invalidParameter(`Served entity '${served}' is an external or foundation model and has no logs.`);
  }
  return e;
};

/** Control plane: `/api/2.0/serving-endpoints` and the serving-endpoint Permissions API (spec/serving.md 2). */
export const registerControlRoutes = (app: FastifyInstance, ctx: EmulatorContext): void => {
  const { endpoints } = ctx;
  const displayName = (user: string) => ctx.auth.identityOf(user)?.displayName;

  app.get(BASE, async (req) => {
    const id = caller(req);
    const visible = endpoints.list().filter((ep) => effectiveLevel(ep, id) !== undefined);
    return visible.length === 0 ? {} : { endpoints: visible.map(renderSummary) };
  });

  app.post(BASE, async (req) => {
    const id = caller(req);
    const ep = endpoints.create(id, jsonObject(req.body));
    return renderDetailed(ep, "CAN_MANAGE");
  });

  app.get<{ Params: NameParams }>(`${BASE}/:name`, async (req) => {
    const ep = endpoints.get(req.params.name);
    const level = requireLevel(ep, caller(req), "CAN_VIEW");
    return renderDetailed(ep, level);
  });

  app.delete<{ Params: NameParams }>(`${BASE}/:name`, async (req) => {
    endpoints.delete(caller(req), req.params.name);
    return {};
  });

  app.put<{ Params: NameParams }>(`${BASE}/:name/config`, async (req) => {
    const ep = endpoints.updateConfig(caller(req), req.params.name, jsonObject(req.body));
    return renderDetailed(ep, "CAN_MANAGE");
  });

  app.put<{ Params: NameParams }>(`${BASE}/:name/ai-gateway`, async (req) =>
    endpoints.putAiGateway(caller(req), req.params.name, jsonObject(req.body)),
  );

  app.put<{ Params: NameParams }>(`${BASE}/:name/rate-limits`, async (req) => {
    const limits = endpoints.putRateLimits(caller(req), req.params.name, jsonObject(req.body));
    return limits.length === 0 ? {} : { rate_limits: limits };
  });

  app.patch<{ Params: NameParams }>(`${BASE}/:name/tags`, async (req) => {
    const tags = endpoints.patchTags(caller(req), req.params.name, jsonObject(req.body));
    return tags.length === 0 ? {} : { tags };
  });

  app.patch<{ Params: NameParams }>(`${BASE}/:name/notifications`, async (req) => {
    const body = jsonObject(req.body);
    const ep = endpoints.patchField(
      caller(req),
      req.params.name,
      "email_notifications",
      body.email_notifications ?? {},
    );
    return { name: ep.name, email_notifications: ep.extra.email_notifications };
  });

  // Endpoint-level settings the SDKs patch on their own (spec/url-forms.md): echoed on the endpoint, no new
  // config version.
  for (const [path, field] of [
    ["telemetry-config", "telemetry_config"],
    ["system-metrics-export-state", "uc_system_metrics_export_state"],
  ] as const) {
    app.patch<{ Params: NameParams }>(`${BASE}/:name/${path}`, async (req) => {
      const body = jsonObject(req.body);
      const ep = endpoints.patchField(caller(req), req.params.name, field, body[field] ?? null);
      return renderDetailed(ep, "CAN_MANAGE");
    });
  }

  // Provisioned-throughput variants of create and update-config (Python/JS SDK
  // `create_provisioned_throughput_endpoint`, `update_provisioned_throughput_endpoint_config`).
  const PT_ONLY = new Set(["relocate_pt_commitment", "pt_commitment_auto_renew"]);
  app.post(`${BASE}/pt`, async (req) => {
    const body = Object.fromEntries(Object.entries(jsonObject(req.body)).filter(([k]) => !PT_ONLY.has(k)));
    const ep = endpoints.create(caller(req), body);
    return renderDetailed(ep, "CAN_MANAGE");
  });
  app.put<{ Params: NameParams }>(`${BASE}/pt/:name/config`, async (req) => {
    const body = jsonObject(req.body);
    const config = body.config;
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
      throw invalidParameter("config must be an object with served_entities.");
    }
    const ep = endpoints.updateConfig(caller(req), req.params.name, config as JsonObject);
    return renderDetailed(ep, "CAN_MANAGE");
  });

  app.get<{ Params: NameParams }>(`${BASE}/:name/openapi`, async (req, reply) => {
    const ep = endpoints.get(req.params.name);
    requireLevel(ep, caller(req), "CAN_VIEW");
    // The SDK asks for text/plain and reads the raw bytes; the bytes are a JSON OpenAPI document.
    reply.type("text/plain; charset=utf-8");
    return JSON.stringify(openApiDocument(ep, ctx.models));
  });

  app.get<{ Params: NameParams }>(`${BASE}/:name/metrics`, async (req, reply) => {
    const ep = endpoints.get(req.params.name);
    requireLevel(ep, caller(req), "CAN_VIEW");
    const count = ctx.stats.endpointRequests(ep.name);
    reply.type("text/plain; version=0.0.4; charset=utf-8");
    return (
      "# HELP request_count_total Requests received by the endpoint.\n" +
      "# TYPE request_count_total counter\n" +
      `request_count_total{endpoint="${ep.name}"} ${count}\n`
    );
  });

  for (const kind of ["build-logs", "logs"] as const) {
    app.get<{ Params: ServedParams }>(`${BASE}/:name/served-models/:served/${kind}`, async (req) => {
      const ep = endpoints.get(req.params.name);
      requireLevel(ep, caller(req), "CAN_VIEW");
      const e = servedEntityOf(ep, req.params.served);
      const ts = new Date(e.creationTimestamp).toISOString();
      const failure = ep.pending?.failed ? ep.pending.failures?.[e.name] : undefined;
      if (failure !== undefined) {
        const name = `${String(e.spec.entity_name)} version ${String(e.spec.entity_version)}`;
        return {
          logs:
            kind === "build-logs"
              ? `${ts} [emulator] Building environment for ${name}\n${ts} [emulator] Build failed: ${failure}\n`
              : `${ts} [emulator] Served entity ${e.name} did not start: ${failure}\n`,
        };
      }
      const logs =
        kind === "build-logs"
          ? `${ts} [emulator] Building environment for ${String(e.spec.entity_name)} version ${String(e.spec.entity_version)}\n${ts} [emulator] Build succeeded (no container is built by the emulator).\n`
          : `${ts} [emulator] Served entity ${e.name} started.\n`;
      return { logs };
    });
  }

  const PERM = "/api/2.0/permissions/serving-endpoints";
  app.get<{ Params: IdParams }>(`${PERM}/:id`, async (req) => {
    const ep = endpoints.getById(req.params.id);
    requireLevel(ep, caller(req), "CAN_VIEW");
    return renderPermissions(ep, displayName);
  });

  const writePermissions = (merge: boolean) => async (req: FastifyRequest<{ Params: IdParams }>) => {
    const ep = endpoints.getById(req.params.id);
    requireLevel(ep, caller(req), "CAN_MANAGE");
    if (ep.readOnly)
      throw invalidParameter(`Permissions of foundation endpoint '${ep.name}' cannot be changed.`);
    const body: JsonObject = jsonObject(req.body);
    const acl = parseAcl(body.access_control_list ?? []);
    endpoints.setAcl(ep, merge ? mergeAcl(ep.acl, acl) : acl);
    return renderPermissions(ep, displayName);
  };
  app.put<{ Params: IdParams }>(`${PERM}/:id`, writePermissions(false));
  app.patch<{ Params: IdParams }>(`${PERM}/:id`, writePermissions(true));

  app.get<{ Params: IdParams }>(`${PERM}/:id/permissionLevels`, async (req) => {
    const ep = endpoints.getById(req.params.id);
    requireLevel(ep, caller(req), "CAN_VIEW");
    return PERMISSION_LEVELS;
  });
};
