import type { FastifyInstance } from "fastify";
import { invalidParameter } from "../errors.js";
import { jsonObject } from "../http/body.js";
import type { AdminApi } from "../options.js";
import type { FaultRule } from "./types.js";

export const ADMIN_PREFIX = "/__emulator";

/**
 * HTTP face of the admin API (only with `faults: true`). Unauthenticated by design: it is a loopback test hook,
 * and tests must be able to reach it even after expiring every token.
 */
export const registerAdminRoutes = (app: FastifyInstance, admin: AdminApi): void => {
  const config = { public: true };
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
