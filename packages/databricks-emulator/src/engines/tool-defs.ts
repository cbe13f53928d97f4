/** Parsing of tool definitions and `tool_choice` (Chat Completions and Responses shapes) into one form. */
import { fail, isObject, type Json, rejectUnknown, typeError } from "./validate.js";

export interface ToolDef {
  name: string;
  description: string;
  parameters: Json;
}

export type ToolChoice =
  | { kind: "none" }
  | { kind: "auto" }
  | { kind: "required" }
  | { kind: "named"; name: string };

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const CHAT_TOOL_KEYS = new Set(["type", "function"]);
const CHAT_FUNCTION_KEYS = new Set(["name", "description", "parameters", "strict"]);
const RESPONSES_TOOL_KEYS = new Set(["type", "name", "description", "parameters", "strict"]);

const checkFunction = (fn: Json, where: string, objectName: string): ToolDef => {
  const name = fn.name;
  if (name === undefined) throw fail(`"name" is a required property for "${objectName}" object in ${where}`);
  if (typeof name !== "string") throw typeError(`${where}.name`, "string", name);
  if (!TOOL_NAME.test(name)) {
    throw fail(`invalid function name "${name}" in ${where}: use 1-64 letters, digits, "_" or "-"`);
  }
  const description = fn.description ?? "";
  if (typeof description !== "string") throw typeError(`${where}.description`, "string", description);
  const parameters = fn.parameters;
  if (parameters === undefined || parameters === null) {
    throw fail(`"parameters" is a required property for "${objectName}" object in parameter "tools"`);
  }
  if (!isObject(parameters)) throw typeError(`${where}.parameters`, "object", parameters);
  if (parameters.type !== undefined && parameters.type !== "object") {
    throw fail(
      `${where}.parameters must be a JSON schema of type "object", got type ${JSON.stringify(parameters.type)}`,
    );
  }
  if (fn.strict !== undefined && fn.strict !== null && typeof fn.strict !== "boolean") {
    throw typeError(`${where}.strict`, "bool", fn.strict);
  }
  return { name, description, parameters };
};

const uniqueNames = (tools: ToolDef[]): ToolDef[] => {
  const seen = new Set<string>();
  for (const t of tools) {
    if (seen.has(t.name)) throw fail(`duplicate function name "${t.name}" in parameter "tools"`);
    seen.add(t.name);
  }
  return tools;
};

/** Chat Completions tools: `[{"type":"function","function":{name, description?, parameters, strict?}}]`. */
export const parseChatTools = (value: unknown): ToolDef[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw typeError("tools", "[]Tool", value);
  return uniqueNames(
    value.map((tool, i) => {
      const where = `tools[${i}]`;
      if (!isObject(tool)) throw typeError(where, "object", tool);
      rejectUnknown(tool, CHAT_TOOL_KEYS);
      if (tool.type !== "function") {
        throw fail(`${where}.type must be "function", got ${JSON.stringify(tool.type ?? null)}`);
      }
      const fn = tool.function;
      if (fn === undefined)
        throw fail(`"function" is a required property for "tool" object in parameter "tools"`);
      if (!isObject(fn)) throw typeError(`${where}.function`, "object", fn);
      rejectUnknown(fn, CHAT_FUNCTION_KEYS);
      return checkFunction(fn, `${where}.function`, "function");
    }),
  );
};

/** Responses tools: flat `[{"type":"function", name, description?, parameters, strict?}]`; other tool types rejected. */
export const parseResponsesTools = (value: unknown): ToolDef[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw typeError("tools", "[]Tool", value);
  return uniqueNames(
    value.map((tool, i) => {
      const where = `tools[${i}]`;
      if (!isObject(tool)) throw typeError(where, "object", tool);
      if (tool.type !== "function") {
        throw fail(
          `${where}.type ${JSON.stringify(tool.type ?? null)} is not supported by this endpoint; use "function"`,
        );
      }
      rejectUnknown(tool, RESPONSES_TOOL_KEYS);
      return checkFunction(tool, where, "function");
    }),
  );
};

/**
 * `tool_choice`: "none" | "auto" | "required" | a named function. Chat uses `{type, function:{name}}`,
 * Responses uses `{type, name}`; both are accepted on both APIs.
 */
export const parseToolChoice = (value: unknown, tools: ToolDef[]): ToolChoice => {
  if (value === undefined || value === null) return tools.length > 0 ? { kind: "auto" } : { kind: "none" };
  if (typeof value === "string") {
    if (value !== "none" && value !== "auto" && value !== "required") {
      throw fail(`"tool_choice" must be "none", "auto", "required" or a function object, got "${value}"`);
    }
    if (value !== "none" && tools.length === 0) {
      throw fail(`"tool_choice" is "${value}" but no "tools" were given; add tools or drop tool_choice`);
    }
    return { kind: value };
  }
  if (!isObject(value)) throw typeError("tool_choice", "string or object", value);
  if (value.type !== "function") {
    throw fail(`tool_choice.type must be "function", got ${JSON.stringify(value.type ?? null)}`);
  }
  const fn = isObject(value.function) ? value.function : value;
  const name = fn.name;
  if (typeof name !== "string")
    throw fail(`tool_choice must name a function: {"type":"function","function":{"name":...}}`);
  if (!tools.some((t) => t.name === name)) {
    const known = tools.map((t) => t.name).join(", ") || "none";
    throw fail(`tool_choice names function "${name}", which is not in "tools" (available: ${known})`);
  }
  return { kind: "named", name };
};
