/**
 * `response_format: {type: "json_object"}`: the model must answer with a JSON object, and real models follow
 * what the prompt asks for. When a message carries a JSON schema (as LangChain's JSON-mode format
 * instructions do) the object is valid against it; when it lists fields ("with the keys name, age and city",
 * "fields: a, b") the object has exactly those keys; otherwise it is `{"answer": "<reply>"}`.
 */
import type { ChatMessage } from "./messages.js";
import { valueForSchema } from "./schema-value.js";
import type { TextFacts } from "./text-facts.js";
import { isObject, type Json } from "./validate.js";

const FIELD_LIST =
  /(?:\bJSON(?:\s+object)?\s+with(?:\s+the)?(?:\s+(?:fields?|keys?|properties|attributes))?|\b(?:fields?|keys?|properties|attributes)\b\s*(?:named|called)?)\s*:?\s*((?:[`"']?[A-Za-z_][\w]*[`"']?)(?:\s*(?:,|\band\b|,\s*and\b)\s*[`"']?[A-Za-z_][\w]*[`"']?)*)/i;

const NUMERIC_FIELD =
  /^(age|year|years|count|number|num|amount|price|cost|total|qty|quantity|score|rating|size|length|width|height|weight|population|result|answer|sum|value)$/i;

/** JSON objects embedded in `text` (balanced braces, strings respected), parsed; at most 8 scanned. */
const embeddedObjects = (text: string): Json[] => {
  const out: Json[] = [];
  for (let start = text.indexOf("{"); start >= 0 && out.length < 8; start = text.indexOf("{", start + 1)) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) {
        try {
          const v: unknown = JSON.parse(text.slice(start, i + 1));
          if (isObject(v)) {
            out.push(v);
            start = i;
          }
        } catch {
          // not JSON: keep scanning from the next brace
        }
        break;
      }
    }
  }
  return out;
};

const looksLikeSchema = (v: Json): boolean =>
  isObject(v.properties) || (v.type === "object" && v.properties !== undefined) || Array.isArray(v.anyOf);

/** The schema a prompt carries, if any (latest message first). */
export const schemaInPrompt = (messages: readonly ChatMessage[]): Json | undefined => {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    if (m.role !== "system" && m.role !== "user") continue;
    for (const o of embeddedObjects(m.text)) if (looksLikeSchema(o)) return o;
  }
  return undefined;
};

/** Field names a prompt lists ("keys name, age and city"), latest message first. */
export const fieldsInPrompt = (messages: readonly ChatMessage[]): string[] => {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    if (m.role !== "system" && m.role !== "user") continue;
    const hit = FIELD_LIST.exec(m.text);
    if (!hit) continue;
    const names = (hit[1] ?? "")
      .split(/\s*(?:,|\band\b)\s*/i)
      .map((s) => s.replace(/[`"']/g, "").trim())
      .filter((s) => s.length > 0);
    if (names.length > 0) return [...new Set(names)];
  }
  return [];
};

export const jsonObjectFor = (messages: readonly ChatMessage[], reply: string, facts: TextFacts): Json => {
  const schema = schemaInPrompt(messages);
  if (schema) {
    const v = valueForSchema(schema, facts);
    if (isObject(v)) return v;
  }
  const fields = fieldsInPrompt(messages);
  if (fields.length > 0) {
    const props: Json = {};
    // Field names that are numbers in practice get numbers from the text; the rest strings.
    for (const f of fields) props[f] = NUMERIC_FIELD.test(f) ? { type: "number" } : { type: "string" };
    const v = valueForSchema({ type: "object", properties: props, required: fields }, facts);
    if (isObject(v)) return v;
  }
  return { answer: reply };
};
