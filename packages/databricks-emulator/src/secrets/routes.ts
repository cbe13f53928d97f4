import type { FastifyInstance } from "fastify";
import { caller, type EmulatorContext } from "../context.js";
import { jsonObject } from "../http/body.js";

type Query = Record<string, string | undefined>;
const S = "/api/2.0/secrets";

/** Secrets API (wire-spec 6). Empty lists are answered as `{}` (proto3-JSON omits empty fields). */
export const registerSecretsRoutes = (app: FastifyInstance, ctx: EmulatorContext): void => {
  const store = ctx.secrets;

  app.post(`${S}/scopes/create`, async (req) => {
    const b = jsonObject(req.body);
    store.createScope(caller(req), b.scope, b.initial_manage_principal, b.scope_backend_type);
    return {};
  });
  app.get(`${S}/scopes/list`, async () => {
    const scopes = store.listScopes();
    return scopes.length === 0 ? {} : { scopes };
  });
  app.post(`${S}/scopes/delete`, async (req) => {
    store.deleteScope(caller(req), jsonObject(req.body).scope);
    return {};
  });
  app.post(`${S}/put`, async (req) => {
    const b = jsonObject(req.body);
    store.put(caller(req), b.scope, b.key, b.string_value, b.bytes_value);
    return {};
  });
  app.post(`${S}/delete`, async (req) => {
    const b = jsonObject(req.body);
    store.deleteSecret(caller(req), b.scope, b.key);
    return {};
  });
  app.get<{ Querystring: Query }>(`${S}/list`, async (req) => {
    const secrets = store.list(caller(req), req.query.scope);
    return secrets.length === 0 ? {} : { secrets };
  });
  app.get<{ Querystring: Query }>(`${S}/get`, async (req) =>
    store.get(caller(req), req.query.scope, req.query.key),
  );
  app.post(`${S}/acls/put`, async (req) => {
    const b = jsonObject(req.body);
    store.putAcl(caller(req), b.scope, b.principal, b.permission);
    return {};
  });
  app.post(`${S}/acls/delete`, async (req) => {
    const b = jsonObject(req.body);
    store.deleteAcl(caller(req), b.scope, b.principal);
    return {};
  });
  app.get<{ Querystring: Query }>(`${S}/acls/get`, async (req) =>
    store.getAcl(caller(req), req.query.scope, req.query.principal),
  );
  app.get<{ Querystring: Query }>(`${S}/acls/list`, async (req) => {
    const items = store.listAcls(caller(req), req.query.scope);
    return items.length === 0 ? {} : { items };
  });
};
