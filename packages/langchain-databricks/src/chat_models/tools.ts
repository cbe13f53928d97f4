import type { BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { DatabricksConfigError } from "../errors.js";
import type { WireTool, WireToolChoice } from "./wire.js";

/** Any LangChain tool (StructuredTool, RunnableToolLike, `{name, schema}` params, OpenAI format) -> OpenAI tool. */
export function toWireTools(tools: BindToolsInput[], strict?: boolean): WireTool[] {
  return tools.map((tool) => {
    const converted = convertToOpenAITool(tool, strict === undefined ? undefined : { strict }) as WireTool;
    // Databricks validation requires `parameters`; a tool without arguments gets an empty object schema.
    if (converted.type === "function" && converted.function && !converted.function.parameters) {
      converted.function = { ...converted.function, parameters: { type: "object", properties: {} } };
    }
    return converted;
  });
}

function toolNames(tools: WireTool[] | undefined): string[] {
  return (tools ?? []).flatMap((t) =>
    t.function?.name ? [t.function.name] : typeof t.name === "string" ? [t.name] : [],
  );
}

/**
 * LangChain `tool_choice` -> the wire value: "any" means "required"; a tool name (or function object) must
 * name a bound tool, so a typo fails here with the list of valid names instead of as an opaque 400.
 */
export function toWireToolChoice(
  choice: ToolChoice | undefined,
  tools: WireTool[] | undefined,
): WireToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  if (choice === "any") return "required";
  let name: string | undefined;
  if (typeof choice === "string") name = choice;
  else if (typeof choice === "object") {
    const fn = (choice as { function?: { name?: unknown }; name?: unknown }).function;
    const candidate = fn?.name ?? (choice as { name?: unknown }).name;
    if (typeof candidate === "string") name = candidate;
  }
  if (name === undefined) {
    throw new DatabricksConfigError(
      `Unrecognized tool_choice ${JSON.stringify(choice)}. Use "auto", "none", "any", "required", a tool name, ` +
        'or {type: "function", function: {name}}.',
    );
  }
  const names = toolNames(tools);
  if (!names.includes(name)) {
    throw new DatabricksConfigError(
      `tool_choice names the tool "${name}", but the bound tools are: ${names.length ? names.join(", ") : "(none)"}. ` +
        "Bind that tool with bindTools() or choose one of the bound tools.",
    );
  }
  return { type: "function", function: { name } };
}

/** Non-GPT Databricks models reject `strict` inside tool functions; drop it there. */
export function stripStrict(tools: WireTool[]): WireTool[] {
  return tools.map((t) => {
    if (!t.function || !("strict" in t.function)) return t;
    const { strict: _ignored, ...fn } = t.function;
    return { ...t, function: fn };
  });
}
