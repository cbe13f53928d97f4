import type { AclEntry as SharedAclEntry } from "../permissions/acl.js";
import type { JsonObject } from "../util/json.js";

export type PermissionLevel = "CAN_VIEW" | "CAN_QUERY" | "CAN_MANAGE";
export const PERMISSION_RANK: Record<PermissionLevel, number> = { CAN_VIEW: 1, CAN_QUERY: 2, CAN_MANAGE: 3 };
export const isPermissionLevel = (v: unknown): v is PermissionLevel =>
  v === "CAN_VIEW" || v === "CAN_QUERY" || v === "CAN_MANAGE";

export type { PrincipalKind } from "../permissions/acl.js";

/** A serving endpoint grant (permissions/acl.ts). */
export type AclEntry = SharedAclEntry<PermissionLevel>;

/** A route of the traffic split; both name fields are echoed, as real workspaces do. */
export interface TrafficRoute {
  served_model_name: string;
  served_entity_name: string;
  traffic_percentage: number;
}

/**
 * One validated served entity. `spec` is the normalised input (what GET echoes, minus secrets);
 * `plaintext` holds `*_plaintext` credentials, which are used at query time and never rendered.
 */
export interface ServedEntity {
  name: string;
  spec: JsonObject;
  plaintext?: Record<string, string>;
  creator: string;
  creationTimestamp: number;
}

export interface CoreConfig {
  configVersion: number;
  servedEntities: ServedEntity[];
  routes: TrafficRoute[];
  autoCaptureConfig?: JsonObject;
}

export interface PendingUpdate {
  config: CoreConfig;
  startTime: number;
  /** Emulator-clock instant the update finishes. */
  readyAt: number;
  /** Set by the admin API: the update ends in UPDATE_FAILED. */
  fail: boolean;
  /** The update already ended in UPDATE_FAILED (kept so GET shows the failed pending config). */
  failed?: boolean;
  /** Why the update failed, per served entity name (shown as its state message and in its build logs). */
  failures?: Record<string, string>;
}

export interface EndpointRecord {
  id: string;
  name: string;
  creator?: string;
  creatorKind?: "User" | "ServicePrincipal";
  creatorDisplayName?: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  task?: string;
  endpointType?: "FOUNDATION_MODEL_API" | "EXTERNAL_MODEL";
  config?: CoreConfig;
  pending?: PendingUpdate;
  /** Next config update fails (admin API called while nothing was in flight). */
  failNext?: boolean;
  tags: { key: string; value?: string }[];
  aiGateway?: JsonObject;
  rateLimits?: JsonObject[];
  routeOptimized: boolean;
  /** Other top-level fields echoed as given (description, email_notifications, budget_policy_id, ...). */
  extra: JsonObject;
  acl: AclEntry[];
  /** Pre-provisioned foundation endpoints cannot be changed or deleted. */
  readOnly?: boolean;
  capabilities?: JsonObject;
}
