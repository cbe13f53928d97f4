/** Read access to an index shared by the index and data routes: SELECT checks and CONTINUOUS pipeline catch-up. */
import type { Identity } from "../auth/identity.js";
import { permissionDenied } from "../errors.js";
import type { VectorSearchStore } from "./store.js";
import type { VsIndexMeta } from "./store-types.js";

/** The index if `who` holds SELECT on it (404 if missing, 403 otherwise). */
export const visibleIndex = (store: VectorSearchStore, name: string, who: Identity): VsIndexMeta => {
  const idx = store.index(name);
  if (!store.can(idx, who, "SELECT")) {
    throw permissionDenied(`User ${who.name} does not have SELECT on index ${name}.`);
  }
  return idx;
};

/** A CONTINUOUS DELTA_SYNC index re-reads its source table before it is served (once online). */
export const maybeContinuousSync = async (
  store: VectorSearchStore,
  idx: VsIndexMeta,
  who: Identity,
): Promise<void> => {
  if (idx.delta?.pipelineType === "CONTINUOUS" && store.online(idx)) await store.sync(idx, who);
};
