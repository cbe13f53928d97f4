import type { EmulatorContext } from "./context.js";
import type { LakebaseStore } from "./lakebase/store.js";
import type { AdminApi } from "./options.js";

/** The programmatic admin API (`handle.admin`); `faults/routes.ts` serves it over HTTP with `faults: true`. */
export const createAdminApi = (ctx: EmulatorContext, services: { lakebase: LakebaseStore }): AdminApi => ({
  setFaults: (rules, seed) => ctx.faults.set(rules, seed),
  clearFaults: () => ctx.faults.clear(),
  stats: () => ctx.stats.snapshot(),
  resetStats: () => ctx.stats.reset(),
  expireTokens: () => {
    ctx.auth.expireAll();
    ctx.persist();
  },
  advanceClock: (ms) => ctx.clock.advance(ms),
  now: () => ctx.clock.now(),
  failNextUpdate: (name) => ctx.endpoints.failNextUpdate(name),
  registerModel: (name, model) => {
    if (typeof model?.predict !== "function")
      throw new TypeError(`registerModel("${name}") needs a predict function`);
    ctx.models.set(name, model);
  },
  revokeDatabaseCredentials: () => services.lakebase.revokeCredentials(),
});
