import { FOUNDATION_MODELS } from "./engines/index.js";
import type { EmulatorOptions } from "./options.js";
import { checkDriverProxyPorts } from "./proxy/cluster-access.js";

const nonNegativeInteger = (v: unknown, name: string): void => {
  if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
    throw new TypeError(`startEmulator: options.${name} must be a non-negative integer, got ${String(v)}`);
  }
};

const checkFoundationModels = (fm: EmulatorOptions["foundationModels"]): void => {
  if (fm === undefined || fm === false) return;
  if (!Array.isArray(fm))
    throw new TypeError("startEmulator: options.foundationModels must be false or a list of names");
  const known = FOUNDATION_MODELS.map((f) => f.endpointName);
  for (const name of fm) {
    if (!known.includes(name)) {
      throw new TypeError(
        `startEmulator: options.foundationModels names an unknown endpoint ${JSON.stringify(name)}; known: ${known.join(", ")}`,
      );
    }
  }
};

/** Throws a TypeError naming the first invalid option of `startEmulator`. */
export const checkOptions = (options: EmulatorOptions): void => {
  nonNegativeInteger(options.port, "port");
  if (options.port !== undefined && options.port > 65535)
    throw new TypeError(`startEmulator: options.port must be <= 65535`);
  nonNegativeInteger(options.transitionMs, "transitionMs");
  nonNegativeInteger(options.bodyLimit, "bodyLimit");
  nonNegativeInteger(options.databaseCredentialTtlSeconds, "databaseCredentialTtlSeconds");
  checkDriverProxyPorts(options.driverProxyPorts);
  nonNegativeInteger(options.tokenTtlSeconds, "tokenTtlSeconds");
  if (options.tokenTtlSeconds === 0)
    throw new TypeError("startEmulator: options.tokenTtlSeconds must be at least 1");
  checkFoundationModels(options.foundationModels);
  for (const [name, m] of Object.entries(options.models ?? {})) {
    if (typeof m?.predict !== "function") {
      throw new TypeError(
        `startEmulator: options.models["${name}"] needs a predict(records, params) function`,
      );
    }
  }
};
