import type { FastifyInstance } from "fastify";
import { caller, type EmulatorContext } from "../context.js";
import { jsonObject } from "../http/body.js";

type Query = Record<string, string | undefined>;
const SECRETS_API = "/api/2.0/secrets";

/** Secrets API (spec/secrets.md 6). Empty lists are answered as `{}` (proto3-JSON omits empty fields). */
export const registerSecretsRoutes = (app: FastifyInstance, ctx: EmulatorContext): void => {
  const store = ctx.secrets;

  app.post(`${SECRETS_API}/scopes/create`, async (req) => {
    const body = jsonObject(req.body);
    store.createScope(caller(req), body.scope, body.initial_manage_principal, body.scope_backend_type);
    return {};
  });
  app.get(`${SECRETS_API}/scopes/list`, async () => {
    const scopes = store.listScopes();
    return scopes.length === 0 ? {} : { scopes };
  });
  app.post(`${SECRETS_API}/scopes/delete`, async (req) => {
    store.deleteScope(caller(req), jsonObject(req.body).scope);
    return {};
  });
  app.post(`${SECRETS_API}/put`, async (req) => {
    const body = jsonObject(req.body);
    store.put(caller(req), body.scope, body.key, body.string_value, body.bytes_value);
    return {};
  });
  app.post(`${SECRETS_API}/delete`, async (req) => {
    const body = jsonObject(req.body);
    store.deleteSecret(caller(req), body.scope, body.key);
    return {};
  });
  app.get<{ Querystring: Query }>(`${SECRETS_API}/list`, async (req) => {
    const secrets = store.list(caller(req), req.query.scope);
    return secrets.length === 0 ? {} : { secrets };
  });
  app.get<{ Querystring: Query }>(`${SECRETS_API}/get`, async (req) =>
    store.get(caller(req), req.query.scope, req.query.key),
  );
  app.post(`${SECRETS_API}/acls/put`, async (req) => {
    const body = jsonObject(req.body);
    store.putAcl(caller(req), body.scope, body.principal, body.permission);
    return {};
  });
  app.post(`${SECRETS_API}/acls/delete`, async (req) => {
    const body = jsonObject(req.body);
    store.deleteAcl(caller(req), body.scope, body.principal);
    return {};
  });
  app.get<{ Querystring: Query }>(`${SECRETS_API}/acls/get`, async (req) =>
    store.getAcl(caller(req), req.query.scope, req.query.principal),
  );
  app.get<{ Querystring: Query }>(`${SECRETS_API}/acls/list`, async (req) => {
    const items = store.listAcls(caller(req), req.query.scope);
    return items.length === 0 ? {} : { items };
  });
};
