/**
 * Wire types of the serving-endpoints and secrets APIs (snake_case, as sent and received). Only the fields
 * clients commonly read are spelled out; every object keeps an index signature because the platform adds
 * fields over time and they must pass through untouched.
 */

/** `state` of an endpoint. */
export interface EndpointState {
  ready?: "READY" | "NOT_READY" | (string & {});
  config_update?: "NOT_UPDATING" | "IN_PROGRESS" | "UPDATE_FAILED" | "UPDATE_CANCELED" | (string & {});
  [key: string]: unknown;
}

/** A served entity (input or output side). */
export interface ServedEntity {
  name?: string;
  entity_name?: string;
  entity_version?: string;
  external_model?: Record<string, unknown>;
  workload_size?: string;
  workload_type?: string;
  scale_to_zero_enabled?: boolean;
  state?: { deployment?: string; deployment_state_message?: string };
  [key: string]: unknown;
}

/** `EndpointCoreConfigInput`: body of `PUT .../config` and `config` of a create request. */
export interface EndpointCoreConfig {
  served_entities?: ServedEntity[];
  served_models?: Record<string, unknown>[];
  traffic_config?: {
    routes?: Array<{ served_model_name?: string; served_entity_name?: string; traffic_percentage: number }>;
  };
  auto_capture_config?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A tag on an endpoint. */
export interface EndpointTag {
  key: string;
  value?: string;
}

/** Body of `POST /api/2.0/serving-endpoints`. */
export interface CreateServingEndpointRequest {
  name: string;
  config?: EndpointCoreConfig;
  ai_gateway?: Record<string, unknown>;
  route_optimized?: boolean;
  tags?: EndpointTag[];
  rate_limits?: RateLimit[];
  description?: string;
  [key: string]: unknown;
}

/** `ServingEndpointDetailed` (GET / create / update responses) and list items. */
export interface ServingEndpoint {
  name: string;
  id?: string;
  state?: EndpointState;
  config?: EndpointCoreConfig & { config_version?: number };
  pending_config?: EndpointCoreConfig & { config_version?: number; start_time?: number };
  task?: string;
  endpoint_type?: string;
  tags?: EndpointTag[];
  ai_gateway?: Record<string, unknown>;
  creator?: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  permission_level?: string;
  route_optimized?: boolean;
  [key: string]: unknown;
}

/** Legacy endpoint rate limit. */
export interface RateLimit {
  calls: number;
  renewal_period: "minute" | (string & {});
  key?: "user" | "endpoint" | (string & {});
}

/** Body of `PATCH .../tags`. */
export interface PatchTagsRequest {
  add_tags?: EndpointTag[];
  delete_tags?: string[];
}

/** One access-control entry (request side). */
export interface AccessControlRequest {
  user_name?: string;
  group_name?: string;
  service_principal_name?: string;
  permission_level: "CAN_MANAGE" | "CAN_QUERY" | "CAN_VIEW" | (string & {});
}

/** `ServingEndpointPermissions`. */
export interface ServingEndpointPermissions {
  object_id?: string;
  object_type?: string;
  access_control_list?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** Inference request (`QueryEndpointInput`): any one input format plus parameters; passed through verbatim. */
export interface QueryInput {
  dataframe_split?: { index?: unknown[]; columns?: string[]; data: unknown[][] };
  dataframe_records?: Record<string, unknown>[];
  instances?: unknown[];
  inputs?: unknown;
  params?: Record<string, unknown>;
  messages?: Array<Record<string, unknown>>;
  prompt?: string | string[];
  input?: string | string[] | unknown[];
  max_tokens?: number;
  temperature?: number;
  n?: number;
  stop?: string[];
  stream?: boolean;
  extra_params?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Inference response: the endpoint's JSON plus `served_model_name` from the `served-model-name` header. */
export type QueryResponse<T = Record<string, unknown>> = T & { served_model_name?: string };

/** A secret scope. */
export interface SecretScope {
  name: string;
  backend_type?: string;
  [key: string]: unknown;
}

/** Secret metadata (values are never listed). */
export interface SecretMetadata {
  key: string;
  last_updated_timestamp?: number;
}

/** One secret-scope ACL entry. */
export interface AclItem {
  principal: string;
  permission: "MANAGE" | "WRITE" | "READ" | (string & {});
}
