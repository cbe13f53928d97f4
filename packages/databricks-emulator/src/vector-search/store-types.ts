/**
 * Vector Search state shapes: endpoints, index metadata, the store's options and per-request limits. Wire
 * shapes: packages/databricks-emulator/spec/vector-search.md.
 */
import type { Identity } from "../auth/identity.js";
import type { AclEntry } from "../permissions/acl.js";
import type { Clock } from "../util/clock.js";
import type { JsonObject } from "../util/json.js";
import type { Schema } from "./filters.js";
import type { SourceTables } from "./source-tables.js";

export const MAX_UPSERT_ROWS = 10_000;
export const MAX_SCAN_RESULTS = 1000;

export type EndpointType = "STANDARD" | "STORAGE_OPTIMIZED";

/** Vector Search endpoint permission levels, lowest first (./endpoint-acl.ts). */
export type VsEndpointLevel = "CAN_USE" | "CAN_MANAGE";
export type VsEndpointAclEntry = AclEntry<VsEndpointLevel>;

export interface VsEndpoint {
  name: string;
  id: string;
  endpointType: EndpointType;
  creator: string;
  createdAt: number;
  updatedAt: number;
  readyAt: number;
  budgetPolicyId?: string;
  numReplicas?: number;
  /** Permissions API entries (levels and checks: ./endpoint-acl.ts); the creator starts at CAN_MANAGE. */
  acl: VsEndpointAclEntry[];
}

export type Privilege = "SELECT" | "MODIFY" | "ALL_PRIVILEGES";

export interface VsIndexMeta {
  name: string;
  id: string;
  endpointName: string;
  primaryKey: string;
  indexType: "DIRECT_ACCESS" | "DELTA_SYNC";
  indexSubtype?: string;
  creator: string;
  createdAt: number;
  readyAt: number;
  schema: Schema;
  requestedSchemaJson?: string;
  vectorColumn?: string;
  dim: number;
  sourceColumn?: string;
  embeddingEndpoint?: string;
  queryEndpoint?: string;
  /** The spec as given (echoed on GET). */
  spec: JsonObject;
  delta?: {
    sourceTable: string;
    pipelineType: "TRIGGERED" | "CONTINUOUS";
    columnsToSync?: string[];
    pipelineId: string;
  };
  grants: Record<string, Privilege[]>;
  lastSyncAt?: number;
  message?: string;
}

/** Embeds texts with a workspace embedding endpoint (in-process); returns vectors and their dimension. */
export type Embedder = (
  endpointName: string,
  texts: string[],
  caller: Identity,
) => { vectors: number[][]; dim: number };

export interface VsStoreOptions {
  clock: Clock;
  transitionMs: number;
  embed: Embedder;
  sourceTables: SourceTables;
  /** Called after each acknowledged change with the index whose rows changed (if any). */
  onChange: (changedIndex?: string) => void;
}

export interface UpsertOutcome {
  status: "SUCCESS" | "PARTIAL_SUCCESS" | "FAILURE";
  result: { success_row_count: number; failed_primary_keys: unknown[] };
}
