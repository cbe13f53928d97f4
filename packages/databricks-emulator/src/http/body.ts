import type { IncomingMessage } from "node:http";
import { badRequest } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import { bodyTooLarge } from "./envelope.js";

/**
 * Reads a request body of at most `limit` bytes (undefined when empty), for routes served below Fastify, and calls
 * back in the request's own `end` event (no promise hop on the hot path). Over the limit it fails with the 413
 * envelope at once, from Content-Length when declared; the rest of the body is left to drain.
 */
export const readBody = (
  req: IncomingMessage,
  limit: number,
  done: (err: Error | null, body: Buffer | undefined) => void,
): void => {
  if (Number(req.headers["content-length"] ?? 0) > limit) {
    done(bodyTooLarge(), undefined);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const finish = (err: Error | null, body?: Buffer) => {
    req.off("data", onData);
    req.off("end", onEnd);
    req.off("error", finish);
    done(err, body);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) finish(bodyTooLarge());
    else chunks.push(chunk);
  };
  const onEnd = () =>
    finish(null, size === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", finish);
};

/**
 * Request bodies arrive as raw Buffers (one catch-all content-type parser) so each route decides how strict to be
 * and invalid JSON gets the spec's envelope instead of a framework message.
 */
export const parseJson = (raw: unknown): unknown => {
  if (raw === undefined || raw === null) return undefined;
  const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : String(raw);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("Failed to parse input from JSON: the request body is not valid JSON.");
  }
};

/** Deepest nesting accepted in an inference body (real tool schemas and messages stay far below it). */
export const MAX_BODY_DEPTH = 100;

/**
 * 400 for a body nested deeper than `MAX_BODY_DEPTH` (a 20,000-level tool schema): checked iteratively before
 * any engine walks the body recursively, so no request can overflow the stack into a 500.
 */
export const checkJsonDepth = (value: unknown, max = MAX_BODY_DEPTH): void => {
  if (typeof value !== "object" || value === null) return;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > max) throw badRequest(`Request body is nested more than ${max} levels deep.`);
    const children = Array.isArray(v) ? v : Object.values(v as object);
    for (const c of children) if (typeof c === "object" && c !== null) stack.push([c, depth + 1]);
  }
};

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * Whether the JSON text `raw` could nest deeper than `max`: each level needs its own `{` or `[` byte, so a body with
 * at most `max` of them cannot (brackets inside strings only raise the count; UTF-8 never uses these bytes inside a
 * multi-byte character). Counting stops at `max + 1` with native `indexOf`, so typical bodies (a few messages) skip
 * the walk of {@link checkJsonDepth} and every allocation it makes; bodies with more brackets still get the walk.
 */
export const mayNestDeeperThan = (raw: Buffer | undefined, max = MAX_BODY_DEPTH): boolean => {
  if (raw === undefined) return false;
  const braces = countUpTo(raw, OPEN_BRACE, max + 1);
  return braces + countUpTo(raw, OPEN_BRACKET, max + 1 - braces) > max;
};

/** Occurrences of `byte` in `raw`, counting no further than `limit`. */
const countUpTo = (raw: Buffer, byte: number, limit: number): number => {
  let count = 0;
  for (let at = raw.indexOf(byte); at !== -1 && count < limit; at = raw.indexOf(byte, at + 1)) count++;
  return count;
};

/** A JSON object body; an absent body counts as `{}` (GET-style calls and `DELETE` with no body). */
export const jsonObject = (raw: unknown): JsonObject => {
  const v = parseJson(raw);
  if (v === undefined) return {};
  if (!isObject(v)) throw badRequest("Request body must be a JSON object.", "MALFORMED_REQUEST");
  return v;
};

/** `application/x-www-form-urlencoded` bodies (the OAuth token endpoint). */
export const formBody = (raw: unknown): URLSearchParams => {
  const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : typeof raw === "string" ? raw : "";
  return new URLSearchParams(text);
};
