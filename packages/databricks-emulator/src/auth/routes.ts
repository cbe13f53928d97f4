import type { FastifyInstance, FastifyReply } from "fastify";
import { caller, type EmulatorContext } from "../context.js";
import { formBody } from "../http/body.js";

const PUBLIC = { config: { public: true } };

/** RFC 6749 error; always JSON with a Content-Type (the Python SDK reads it unguarded). */
const oauthError = (reply: FastifyReply, status: number, error: string, description: string) =>
  reply.code(status).type("application/json").send({ error, error_description: description });

/** Host metadata, OIDC discovery, the M2M token endpoint (spec/auth.md 7) and SCIM `Me`. */
export const registerAuthRoutes = (app: FastifyInstance, ctx: EmulatorContext): void => {
  app.get("/.well-known/databricks-config", PUBLIC, async () => {
    const base = ctx.baseUrl();
    return {
      oidc_endpoint: `${base}/oidc`,
      workspace_id: ctx.workspaceId,
      account_id: "00000000-0000-4000-8000-000000000000",
      cloud: "AWS",
      host_type: "WORKSPACE_HOST",
      token_federation_default_oidc_audiences: [`${base}/oidc/v1/token`],
    };
  });

  const discovery = async () => {
    const base = ctx.baseUrl();
    return {
      issuer: `${base}/oidc`,
      authorization_endpoint: `${base}/oidc/v1/authorize`,
      token_endpoint: `${base}/oidc/v1/token`,
      jwks_uri: `${base}/oidc/jwks.json`,
      scopes_supported: ["all-apis", "offline_access", "openid", "profile", "email"],
      response_types_supported: ["code"],
      grant_types_supported: ["client_credentials", "authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    };
  };
  app.get("/oidc/.well-known/oauth-authorization-server", PUBLIC, discovery);
  app.get("/oidc/.well-known/openid-configuration", PUBLIC, discovery);

  app.post("/oidc/v1/token", PUBLIC, async (req, reply) => {
    const form = formBody(req.body);
    let clientId = form.get("client_id") ?? "";
    let clientSecret = form.get("client_secret") ?? "";
    const header = req.headers.authorization;
    if (header?.toLowerCase().startsWith("basic ")) {
      const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon >= 0) {
        try {
          clientId = decodeURIComponent(decoded.slice(0, colon));
          clientSecret = decodeURIComponent(decoded.slice(colon + 1));
        } catch {
          // RFC 6749 2.3.1: the Basic credentials are form-urlencoded; a bad escape is the client's error.
          return oauthError(
            reply,
            400,
            "invalid_request",
            "Malformed percent-encoding in the Basic credentials.",
          );
        }
      }
    }
    const grant = form.get("grant_type");
    if (grant !== "client_credentials") {
      return oauthError(
        reply,
        400,
        "unsupported_grant_type",
        `Grant type ${JSON.stringify(grant ?? "")} is not supported by the emulator; use client_credentials.`,
      );
    }
    const identity = clientId && clientSecret ? ctx.auth.checkClient(clientId, clientSecret) : undefined;
    if (!identity) return oauthError(reply, 401, "invalid_client", "Client authentication failed");
    const scope = form.get("scope") ?? "all-apis";
    const scopes = scope.split(/\s+/).filter(Boolean);
    if (scopes.some((s) => !["all-apis", "offline_access", "openid", "profile", "email"].includes(s))) {
      return oauthError(reply, 400, "invalid_scope", `Unsupported scope '${scope}'; use all-apis.`);
    }
    // Vector Search data-plane tokens are scoped with a JSON list (spec/vector-search.md 8); `[]` form-encodes to no key.
    let details: unknown[] | undefined;
    const rawDetails = form.get("authorization_details");
    if (rawDetails) {
      try {
        details = JSON.parse(rawDetails) as unknown[];
      } catch {
        details = undefined;
      }
      if (!Array.isArray(details)) {
        return oauthError(reply, 400, "invalid_request", "authorization_details must be a JSON list.");
      }
    }
    const rec = ctx.auth.issueOAuthToken(identity.name, ctx.tokenTtlSeconds, details);
    return { access_token: rec.token, token_type: "Bearer", expires_in: ctx.tokenTtlSeconds, scope };
  });

  app.get("/api/2.0/preview/scim/v2/Me", async (req) => {
    const id = caller(req);
    return {
      id: id.name,
      userName: id.name,
      displayName: id.displayName,
      active: true,
      groups: id.groups.map((g) => ({ display: g, value: g })),
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
    };
  });
};
