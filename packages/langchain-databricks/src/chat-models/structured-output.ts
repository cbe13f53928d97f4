import type {
  BaseLanguageModelInput,
  StructuredOutputMethodOptions,
} from "@langchain/core/language_models/base";
import {
  assembleStructuredOutputPipeline,
  createContentParser,
  createFunctionCallingParser,
} from "@langchain/core/language_models/structured_output";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { isSerializableSchema } from "@langchain/core/utils/standard_schema";
import { getSchemaDescription, type InteropZodType, isInteropZodSchema } from "@langchain/core/utils/types";
import { ConfigError } from "../errors.js";
import type { ChatDatabricksCallOptions } from "./types.js";

/** Anything `withStructuredOutput` accepts: Zod (v3/v4), Standard Schema, or plain JSON Schema. */
export type StructuredSchema<T> = InteropZodType<T> | Record<string, unknown>;

type JsonObject = Record<string, unknown>;

/** The model surface this module needs (kept narrow to avoid a circular import with the class). */
export interface StructuredOutputHost {
  bindTools(
    tools: JsonObject[],
    kwargs?: Partial<ChatDatabricksCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ChatDatabricksCallOptions>;
  withConfig(config: Partial<ChatDatabricksCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk>;
  /** True when the endpoint accepts OpenAI `strict` (GPT models). */
  supportsStrict(): boolean;
}

function asJsonSchema(schema: unknown): JsonObject {
  if (isInteropZodSchema(schema) || isSerializableSchema(schema)) return toJsonSchema(schema) as JsonObject;
  return schema as JsonObject;
}

/** OpenAI strict mode needs closed objects with every property required, at every level. */
export function strictify(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictify);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema)) if (k !== "$schema") out[k] = strictify(v);
  if (out.type === "object" && typeof out.properties === "object" && out.properties !== null) {
    out.additionalProperties = false;
    out.required = Object.keys(out.properties);
  }
  return out;
}

function withoutDollarSchema(schema: JsonObject): JsonObject {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/**
 * Builds the structured-output runnable. `functionCalling` (default) forces one tool; `jsonMode` asks for a JSON
 * object; `jsonSchema` sends `response_format.json_schema` with a name. Tracing extras carry
 * `ls_structured_output_format` so LangSmith (and the standard tests) see the method and schema.
 */
export function buildStructuredOutput<RunOutput extends JsonObject>(
  host: StructuredOutputHost,
  schema: StructuredSchema<RunOutput>,
  config: StructuredOutputMethodOptions<boolean> | undefined,
):
  | Runnable<BaseLanguageModelInput, RunOutput>
  | Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }> {
  const method = config?.method ?? "functionCalling";
  const includeRaw = config?.includeRaw ?? false;
  const jsonSchema = asJsonSchema(schema);
  const named =
    !isInteropZodSchema(schema) && !isSerializableSchema(schema) ? (schema as JsonObject) : undefined;
  const name =
    config?.name ??
    (typeof named?.title === "string"
      ? named.title
      : typeof named?.name === "string"
        ? named.name
        : "extract");
  const description =
    getSchemaDescription(schema as JsonObject) ??
    (typeof jsonSchema.description === "string" ? jsonSchema.description : undefined);
  const tracing = { ls_structured_output_format: { kwargs: { method }, schema: jsonSchema } };
  const runName = "ChatDatabricksStructuredOutput";

  if (method === "functionCalling") {
    // Plain JSON Schema given as an OpenAI function definition ({name, parameters}) is unwrapped.
    const parameters =
      named && typeof named.parameters === "object" ? (named.parameters as JsonObject) : jsonSchema;
    const tool = {
      type: "function",
      function: {
        name,
        description: description ?? "Extract structured output.",
        parameters: withoutDollarSchema(parameters),
      },
    };
    const llm = host.bindTools([tool], { tool_choice: name, strict: config?.strict, ...tracing });
    const parser = createFunctionCallingParser<RunOutput>(schema, name);
    return assembleStructuredOutputPipeline(llm, parser, includeRaw, runName);
  }
  if (method === "jsonMode") {
    const llm = host.withConfig({ response_format: { type: "json_object" }, ...tracing });
    return assembleStructuredOutputPipeline(llm, createContentParser<RunOutput>(schema), includeRaw, runName);
  }
  if (method === "jsonSchema") {
    const strict = config?.strict ?? host.supportsStrict();
    const body = withoutDollarSchema(jsonSchema);
    const json_schema: JsonObject = { name, schema: strict ? strictify(body) : body };
    if (description) json_schema.description = description;
    if (strict) json_schema.strict = true;
    const llm = host.withConfig({ response_format: { type: "json_schema", json_schema }, ...tracing });
    return assembleStructuredOutputPipeline(llm, createContentParser<RunOutput>(schema), includeRaw, runName);
  }
  throw new ConfigError(
    `Unknown withStructuredOutput method "${method}". Use "functionCalling" (default), "jsonMode" or "jsonSchema".`,
  );
}
