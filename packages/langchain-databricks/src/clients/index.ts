export {
  type EndpointRef,
  type QueryOptions,
  ServingEndpointsClient,
  type WaitOptions,
} from "./serving-endpoints.js";
export type { CallOptions, ClientOptions } from "./shared.js";
export type * from "./types.js";
