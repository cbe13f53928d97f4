export const EMULATOR_VERSION = "0.1.0";

export { ApiError } from "./errors.js";
export type { FaultRule, RequestLogEntry, StatsSnapshot } from "./faults/types.js";
export type {
  AdminApi,
  CustomModel,
  CustomModels,
  EmulatorHandle,
  EmulatorOptions,
  EmulatorUserInfo,
  ServicePrincipalSpec,
  SignatureColumn,
  UserSpec,
} from "./options.js";
export { DEFAULT_CLUSTER_ID } from "./proxy/clusters.js";
export { startEmulator } from "./server.js";
