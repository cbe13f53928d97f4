import type { FastifyInstance } from "fastify";
import { ApiError, invalidParameter, permissionDenied } from "../errors.js";
import { jsonObject } from "../http/body.js";
import type { AdminApi } from "../options.js";
import type { FaultRule } from "./types.js";

export const ADMIN_PREFIX = "/__emulator";

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * HTTP face of the admin API (only with `faults: true`). It takes the admin credential (`isAdmin`: the admin PAT
 * works even after `tokens/expire`), JSON bodies only (415 otherwise: no cross-site form or text/plain POST can
 * reach it) and sends no CORS headers, so a web page cannot drive it from a browser.
 */
export const registerAdminRoutes = (
  app: FastifyInstance,
  admin: AdminApi,
  isAdmin: (authorization: string | undefined) => boolean,
): void => {
  // `public`: the workspace auth hook stays out (it would refuse the admin PAT once tokens are expired).
  const config = { public: true };
  app.addHook("onRequest", (req, _reply, done) => {
    if (!req.url.startsWith(`${ADMIN_PREFIX}/`)) return done();
    if (!req.headers.authorization) {
      return done(
        new ApiError(
          401,
          "UNAUTHENTICATED",
          "The emulator admin API needs the admin credential: Authorization: Bearer <admin PAT>.",
        ),
      );
    }
    if (!isAdmin(req.headers.authorization))
      return done(permissionDenied("Only the workspace admin may use the emulator admin API."));
    const hasBody = req.method === "POST" || req.method === "PUT" || req.method === "PATCH";
    if (hasBody && !JSON_TYPE.test(req.headers["content-type"] ?? "")) {
      return done(
        new ApiError(415, "BAD_REQUEST", "The emulator admin API accepts application/json bodies only."),
      );
    }
    done();
  });
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError) throw invalidParameter(err.message);
      throw err;
    }
  };
  app.put(`${ADMIN_PREFIX}/faults`, { config }, async (req) => {
    const body = jsonObject(req.body);
    if (!Array.isArray(body.rules))
      throw invalidParameter('Body must be {"rules": [FaultRule...], "seed"?: number}.');
    const seed = typeof body.seed === "number" ? body.seed : undefined;
    wrap(() => admin.setFaults(body.rules as FaultRule[], seed));
    return {};
  });
  app.delete(`${ADMIN_PREFIX}/faults`, { config }, async () => {
    admin.clearFaults();
    return {};
  });
  app.get(`${ADMIN_PREFIX}/stats`, { config }, async () => admin.stats());
  app.delete(`${ADMIN_PREFIX}/stats`, { config }, async () => {
    admin.resetStats();
    return {};
  });
  app.post(`${ADMIN_PREFIX}/tokens/expire`, { config }, async () => {
    admin.expireTokens();
    return {};
  });
  app.post(`${ADMIN_PREFIX}/clock/advance`, { config }, async (req) => {
    const ms = jsonObject(req.body).ms;
    wrap(() => admin.advanceClock(Number(ms)));
    return { now: admin.now() };
  });
  app.get(`${ADMIN_PREFIX}/clock`, { config }, async () => ({ now: admin.now() }));
  app.post<{ Params: { name: string } }>(
    `${ADMIN_PREFIX}/endpoints/:name/fail-update`,
    { config },
    async (req) => {
      admin.failNextUpdate(req.params.name);
      return {};
    },
  );
};
