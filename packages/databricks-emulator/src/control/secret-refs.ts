import { isObject } from "../util/json.js";
import { SECRET_REF_RE } from "./external-model.js";

export interface SecretRef {
  scope: string;
  key: string;
}

/**
 * Every `{{secrets/<scope>/<key>}}` reference in a served entity spec (external-model credentials,
 * `environment_vars`, anything else a string can hold). Iterative, so a deep spec cannot overflow the stack.
 */
export const secretRefsIn = (spec: unknown): SecretRef[] => {
  const refs: SecretRef[] = [];
  const stack: unknown[] = [spec];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      const m = SECRET_REF_RE.exec(v);
      if (m) refs.push({ scope: m[1]!, key: m[2]! });
    } else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (isObject(v)) for (const x of Object.values(v)) stack.push(x);
  }
  return refs;
};
