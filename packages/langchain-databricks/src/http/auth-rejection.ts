import type { DatabricksError } from "../errors.js";

const AUTH_REJECTED = /invalid access token|token (?:is |has )?expired|expired token|invalid token/i;

/** 401, or a 403 whose message says the token itself was refused (not a missing permission). */
export function isAuthRejection(e: DatabricksError): boolean {
  if (e.status === 401) return true;
  return e.status === 403 && e.errorCode !== "PERMISSION_DENIED" && AUTH_REJECTED.test(e.message);
}

/** Removes the token of `authHeader` from a server's error text (some servers echo it back). */
export function redactToken(text: string, authHeader: string): string {
  const space = authHeader.indexOf(" ");
  const token = space === -1 ? authHeader : authHeader.slice(space + 1);
  return token.length >= 8 && text.includes(token) ? text.split(token).join("[REDACTED]") : text;
}
