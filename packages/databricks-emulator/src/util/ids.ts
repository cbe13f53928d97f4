import { randomBytes, randomUUID } from "node:crypto";

/** `n` random bytes as lowercase hex. */
export const randomHex = (bytes: number): string => randomBytes(bytes).toString("hex");

/** Endpoint ids are UUIDs without dashes (32 lowercase hex chars), as real workspaces return. */
export const newEndpointId = (): string => randomUUID().replaceAll("-", "");

/** A personal access token in the real `dapi<32 hex>` shape. */
export const newPat = (): string => `dapi${randomHex(16)}`;

/** Opaque OAuth access token; real ones are JWTs but clients never decode them. */
export const newOAuthToken = (): string => `eyJemu${randomHex(24)}`;

/** A 16-digit numeric workspace id like the ones real workspaces report. */
export const newWorkspaceId = (): string => {
  const digits = randomBytes(16)
    .toJSON()
    .data.map((b) => String(b % 10))
    .join("");
  return `1${digits.slice(1)}`;
};
