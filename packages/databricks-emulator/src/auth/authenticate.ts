import { ApiError } from "../errors.js";
import { DEFAULT_ADMIN, type Identity } from "./identity.js";
import type { AuthStore } from "./store.js";

const INVALID_TOKEN = "Invalid access token.";

/** 401 exactly as real workspaces answer when no usable credential was sent (spec/errors.md 1.4). */
export const credentialMissing = (requestId: string): ApiError =>
  new ApiError(
    401,
    401,
    `Credential was not sent or was of an unsupported type for this API. [ReqId: ${requestId}]`,
  );

/** 403 for unknown, revoked or expired tokens, with the reason-phrase header real workspaces send. */
export const invalidToken = (): ApiError =>
  new ApiError(403, 403, INVALID_TOKEN, { headers: { "x-databricks-reason-phrase": INVALID_TOKEN } });

/** Resolves `Authorization: Bearer <token>` or `Basic base64(token:<PAT>)` to an identity, or throws 401/403. */
export const authenticate = (header: string | undefined, store: AuthStore, requestId: string): Identity => {
  if (!header) throw credentialMissing(requestId);
  const space = header.indexOf(" ");
  if (space < 0) throw credentialMissing(requestId);
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  let token: string;
  if (scheme === "bearer") {
    token = value;
  } else if (scheme === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    // Docs curl examples use `-u token:$DATABRICKS_TOKEN`; username/password logins are not supported.
    if (colon < 0 || decoded.slice(0, colon) !== "token") throw credentialMissing(requestId);
    token = decoded.slice(colon + 1);
  } else {
    throw credentialMissing(requestId);
  }
  if (!token) throw credentialMissing(requestId);
  const id = store.resolveToken(token);
  if (!id) throw invalidToken();
  return id;
};

/**
 * Who is calling, for every authenticated route. With auth off (`startEmulator({ auth: false })`) a known bearer
 * token still names its principal, so permission tests keep working; anything else acts as the default admin.
 */
export const callerIdentifier = (
  store: AuthStore,
  enabled: boolean,
): ((header: string | undefined, requestId: string) => Identity) => {
  if (enabled) return (header, requestId) => authenticate(header, store, requestId);
  const admin = store.identityOf(DEFAULT_ADMIN);
  if (!admin) throw new Error(`the auth store has no ${DEFAULT_ADMIN} principal`);
  return (header) => {
    const token = header?.toLowerCase().startsWith("bearer ") ? header.slice(7).trim() : undefined;
    return (token ? store.resolveToken(token) : undefined) ?? admin;
  };
};
