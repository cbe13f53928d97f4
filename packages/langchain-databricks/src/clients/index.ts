export {
  buildCreatePayload,
  type CreateEndpointArgs,
  DatabricksDeploymentClient,
  getDeployClient,
  type PredictArgs,
  type UpdateEndpointArgs,
} from "./deployments.js";
export { type CreateScopeOptions, SecretsClient } from "./secrets.js";
export {
  type EndpointRef,
  type QueryOptions,
  ServingEndpointsClient,
  type WaitOptions,
} from "./serving-endpoints.js";
export type { CallOptions, ClientOptions } from "./shared.js";
export type * from "./types.js";
