import { getEnvironmentVariable } from "@langchain/core/utils/env";
import { ConfigError } from "../errors.js";
import type { DatabricksLLMInput } from "./types.js";

export type LLMMode =
  | { kind: "serving"; endpointName: string }
  | { kind: "proxy"; clusterId?: string; port: number };

let warnedModelKwargs = false;

/**
 * Validates the mode settings the way the seed does, minus its bugs: no eager cluster-id failure (an unset
 * cluster id is looked up lazily), no "Cannot set both extra_params and extra_params" for plain `modelKwargs`.
 */
export function resolveMode(fields: DatabricksLLMInput): LLMMode {
  const { endpointName, clusterDriverPort } = fields;
  if (endpointName !== undefined && fields.clusterId !== undefined) {
    throw new ConfigError(
      "Cannot set both endpointName and clusterId; choose a serving endpoint or a cluster.",
    );
  }
  if (endpointName !== undefined && clusterDriverPort !== undefined) {
    throw new ConfigError(
      "Cannot set both endpointName and clusterDriverPort; clusterDriverPort is only for the cluster driver proxy.",
    );
  }
  if (endpointName !== undefined) {
    if (endpointName.trim() === "") throw new ConfigError("endpointName must not be empty.");
    return { kind: "serving", endpointName };
  }
  const clusterId =
    fields.clusterId ??
    getEnvironmentVariable("DATABRICKS_CLUSTER_ID") ??
    getEnvironmentVariable("DB_CLUSTER_ID");
  if (clusterDriverPort === undefined || clusterDriverPort === "") {
    if (fields.clusterId !== undefined) {
      throw new ConfigError(
        "Must set clusterDriverPort to connect to a cluster driver (the port your app listens on, e.g. 7777).",
      );
    }
    throw new ConfigError(
      "Must specify either endpointName (serving endpoint) or clusterDriverPort (cluster driver proxy app, " +
        "with clusterId or DATABRICKS_CLUSTER_ID).",
    );
  }
  const port = Number(clusterDriverPort);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ConfigError(
      `Invalid clusterDriverPort: ${JSON.stringify(clusterDriverPort)}. Use an integer port between 1 and 65535.`,
    );
  }
  if (port < 3000 || port > 8000) {
    console.warn(
      `langchain-databricks: clusterDriverPort ${port} is outside the recommended range 3000-8000; ` +
        "the driver proxy may not forward it.",
    );
  }
  return { kind: "proxy", clusterId: clusterId || undefined, port };
}

/** `prompt` comes from the call and `stop` from the stop option: extra params may hold neither. */
export function checkReserved(name: string, params: Record<string, unknown> | undefined) {
  for (const key of ["prompt", "stop"]) {
    if (params && key in params) {
      throw new ConfigError(
        `${name} must not contain "${key}": the prompt comes from the call and stop from the stop option.`,
      );
    }
  }
}

/** `modelKwargs` is a deprecated alias of `extraParams`; giving both is ambiguous. */
export function resolveExtraParams(fields: DatabricksLLMInput): Record<string, unknown> {
  checkReserved("modelKwargs", fields.modelKwargs);
  checkReserved("extraParams", fields.extraParams);
  if (fields.modelKwargs !== undefined && fields.extraParams !== undefined) {
    throw new ConfigError(
      "Cannot set both modelKwargs and extraParams; modelKwargs is deprecated, use extraParams.",
    );
  }
  if (fields.modelKwargs !== undefined && !warnedModelKwargs) {
    warnedModelKwargs = true;
    console.warn("langchain-databricks: modelKwargs is deprecated. Please use extraParams instead.");
  }
  return { ...(fields.extraParams ?? fields.modelKwargs) };
}
