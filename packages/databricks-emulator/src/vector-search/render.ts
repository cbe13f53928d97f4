/**
 * Wire renderings of Vector Search endpoints and indexes (GET/list/create answers). Wire shapes:
 * packages/databricks-emulator/spec/vector-search.md.
 */
import type { JsonObject } from "../util/json.js";
import type { VectorSearchStore } from "./store.js";
import type { VsEndpoint, VsIndexMeta } from "./store-types.js";

export const renderEndpoint = (store: VectorSearchStore, ep: VsEndpoint): JsonObject => {
  const online = store.endpointOnline(ep);
  let n = 0;
  for (const i of store.indexes.values()) if (i.endpointName === ep.name) n++;
  return {
    name: ep.name,
    id: ep.id,
    endpoint_type: ep.endpointType,
    endpoint_status: online
      ? { state: "ONLINE", message: "Endpoint is online." }
      : { state: "PROVISIONING", message: "Endpoint is being provisioned." },
    creator: ep.creator,
    creation_timestamp: ep.createdAt,
    last_updated_timestamp: online ? Math.max(ep.updatedAt, ep.readyAt) : ep.updatedAt,
    last_updated_user: ep.creator,
    num_indexes: n,
    ...(ep.budgetPolicyId
      ? { budget_policy_id: ep.budgetPolicyId, effective_budget_policy_id: ep.budgetPolicyId }
      : {}),
    scaling_info: { state: "SCALING_CHANGE_APPLIED", requested_target_qps: 0 },
  };
};

/**
 * An index as listed (`full` false: identity fields only) or as returned by GET/create (`full`: spec and status,
 * with `indexUrlOf(idx)` as `status.index_url`).
 */
export const renderIndex = (
  store: VectorSearchStore,
  idx: VsIndexMeta,
  full: boolean,
  indexUrlOf: (idx: VsIndexMeta) => string,
): JsonObject => {
  const ep = store.endpoints.get(idx.endpointName);
  const base: JsonObject = {
    name: idx.name,
    endpoint_name: idx.endpointName,
    endpoint_id: ep?.id,
    primary_key: idx.primaryKey,
    index_type: idx.indexType,
    ...(idx.indexSubtype ? { index_subtype: idx.indexSubtype } : {}),
    creator: idx.creator,
  };
  if (!full) return base;
  const online = store.online(idx);
  const spec: JsonObject = { ...idx.spec };
  if (idx.indexType === "DIRECT_ACCESS") {
    spec.schema_json = JSON.stringify(idx.schema);
    if (idx.requestedSchemaJson !== undefined) spec.requested_schema_json = idx.requestedSchemaJson;
    base.direct_access_index_spec = spec;
  } else {
    spec.pipeline_id = idx.delta?.pipelineId;
    base.delta_sync_index_spec = spec;
  }
  const rows = store.dataOf(idx).size;
  base.status = {
    ready: online,
    detailed_state: store.detailedState(idx),
    indexed_row_count: online ? rows : 0,
    index_url: indexUrlOf(idx),
    message: online
      ? idx.indexType === "DIRECT_ACCESS"
        ? "Direct access index is ready."
        : `Index is online; last synced from ${idx.delta?.sourceTable}.`
      : "Index is being provisioned; it becomes ready once its endpoint is online.",
  };
  return base;
};

/** Grants on an index as the permissions API answers them (`{}` when there are none). */
export const renderGrants = (idx: VsIndexMeta): JsonObject => {
  const entries = Object.entries(idx.grants);
  return entries.length === 0
    ? {}
    : { privilege_assignments: entries.map(([principal, privileges]) => ({ principal, privileges })) };
};
