import type { DatabricksError } from "../errors.js";

const AUTH_REJECTED = /invalid access token|token (?:is |has )?expired|expired token|invalid token/i;

/** 401, or a 403 whose message says the token itself was refused (not a missing permission). */
export function isAuthRejection(e: DatabricksError): boolean {
  if (e.status === 401) return true;
  return e.status === 403 && e.errorCode !== "PERMISSION_DENIED" && AUTH_REJECTED.test(e.message);
}
