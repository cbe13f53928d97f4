import { invalidParameter } from "../errors.js";
import { isObject } from "../util/json.js";

/** Deepest nesting a stored field may have (real configs stay under 10 levels). */
export const MAX_FIELD_DEPTH = 32;
/** Largest serialized size of one stored field. */
export const MAX_FIELD_BYTES = 256 * 1024;

/**
 * Depth and size limits for a user-supplied field the emulator stores and later serializes (description,
 * email_notifications, telemetry_config, tags, ai_gateway, config, ...): 400 INVALID_PARAMETER_VALUE naming the
 * field. Iterative, so a 100,000-level value cannot overflow the stack here or, once refused, in the snapshot.
 */
export const checkStoredField = (field: string, value: unknown): void => {
  const stack: [unknown, number][] = [[value, 1]];
  let units = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === "string") units += v.length + 2;
    else units += 8;
    if (Array.isArray(v) || isObject(v)) {
      if (depth > MAX_FIELD_DEPTH) {
        throw invalidParameter(
          `Field '${field}' is nested more than ${MAX_FIELD_DEPTH} levels deep; flatten it.`,
        );
      }
      if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
      else
        for (const [k, x] of Object.entries(v)) {
          units += k.length + 3;
          stack.push([x, depth + 1]);
        }
    }
    if (units > MAX_FIELD_BYTES) {
      throw invalidParameter(`Field '${field}' is larger than ${MAX_FIELD_BYTES / 1024} KiB; send less.`);
    }
  }
};

/** `checkStoredField` for every field of a request body (`where.` prefixes nested bodies such as config). */
export const checkStoredFields = (body: Record<string, unknown>, where = ""): void => {
  for (const [k, v] of Object.entries(body)) checkStoredField(`${where}${k}`, v);
};
