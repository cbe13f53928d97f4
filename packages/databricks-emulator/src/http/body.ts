import { badRequest } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";

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
