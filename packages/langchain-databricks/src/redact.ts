import { base64Utf8 } from "./utils/base64.js";

/** What every redacted credential is replaced with. */
export const REDACTED = "[REDACTED]";

/** Shortest secret replaced by value (shorter strings would mangle ordinary text). */
const MIN_SECRET = 6;
/** Shortest base64 run derived from a secret that is searched for (fewer characters match by chance). */
const MIN_BASE64_RUN = 8;

/**
 * Credential forms recognised without knowing the secret: `Bearer x`, `Basic x`, `client_secret=x` (an OAuth
 * request echoed by a token endpoint), `access_token=x` (URLs, query strings, form bodies) and the same names as
 * JSON string fields.
 */
const STRUCTURAL: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(Bearer|Basic)(\s+|%20)[A-Za-z0-9+/_.~-]{8,}=*/gi, `$1$2${REDACTED}`],
  [
    /\b(client_secret|access_token|refresh_token|id_token|password|token)(=|%3D)[^&\s"'<>]+/gi,
    `$1$2${REDACTED}`,
  ],
  [
    /("(?:client_secret|access_token|refresh_token|id_token|password|token)"\s*:\s*")(?:[^"\\]|\\.)*"/gi,
    `$1${REDACTED}"`,
  ],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The base64 runs that appear wherever `secret` is encoded inside a longer value, whatever precedes it
 * (`base64("token:" + pat)`, `base64(id + ":" + secret)`): for each of the three byte alignments, the characters
 * that depend on the secret's bytes only. Standard and URL-safe alphabets.
 */
function base64Runs(secret: string): string[] {
  const out: string[] = [];
  const bytes = new TextEncoder().encode(secret).length;
  for (let k = 0; k < 3; k++) {
    const enc = base64Utf8("\0".repeat(k) + secret);
    const start = k === 0 ? 0 : 4;
    const end = Math.floor((k + bytes) / 3) * 4;
    const run = enc.slice(start, end);
    if (run.length < MIN_BASE64_RUN) continue;
    out.push(run);
    const urlSafe = run.replace(/\+/g, "-").replace(/\//g, "_");
    if (urlSafe !== run) out.push(urlSafe);
  }
  return out;
}

/**
 * The one redactor of the package: removes every form a credential can take from `text` (an error message, a
 * server's error body, a log line, CLI output).
 *
 * - each known secret (token, PAT, client secret) by value, URL-encoded, and inside any base64 value (`Basic
 *   base64(token:PAT)`, `Basic base64(id:secret)`, any padding, URL-safe alphabet): the whole base64 run goes;
 * - without knowing the secret: `Bearer x`, `Basic x`, `client_secret=`, `access_token=`, `refresh_token=`,
 *   `id_token=`, `password=`, `token=` values and the same JSON fields.
 *
 * Costs nothing unless called; called on error paths only.
 * @example
 * redactSecrets(`echo: client_id=app&client_secret=${secret}`, [secret]); // "echo: client_id=app&client_secret=[REDACTED]"
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET) continue;
    for (const run of base64Runs(secret)) {
      if (!out.includes(run)) continue;
      out = out.replace(new RegExp(`[A-Za-z0-9+/_-]*${escapeRegExp(run)}[A-Za-z0-9+/_-]*=*`, "g"), REDACTED);
    }
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
  }
  for (const [pattern, replacement] of STRUCTURAL) out = out.replace(pattern, replacement);
  return out;
}

/** The token of an `Authorization` value (`Bearer x` -> `x`). */
export function tokenOf(authHeader: string): string {
  const space = authHeader.indexOf(" ");
  return space === -1 ? authHeader : authHeader.slice(space + 1);
}

/**
 * Redacts `error`'s message and the messages along its `cause` chain in place (error path only) and returns it.
 * Objects that cannot be written are left alone.
 */
export function redactError<E>(error: E, secrets: readonly (string | undefined)[]): E {
  let cur: unknown = error;
  for (let depth = 0; depth < 5 && typeof cur === "object" && cur !== null; depth++) {
    const rec = cur as { message?: unknown; stack?: unknown; cause?: unknown };
    for (const key of ["message", "stack"] as const) {
      const value = rec[key];
      if (typeof value !== "string") continue;
      const clean = redactSecrets(value, secrets);
      if (clean === value) continue;
      try {
        rec[key] = clean;
      } catch {
        // Frozen: nothing to do.
      }
    }
    cur = rec.cause;
  }
  return error;
}
