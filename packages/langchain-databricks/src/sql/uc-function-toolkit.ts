/**
 * `UCFunctionToolkit`: LangChain tools from Unity Catalog functions, as in Python's `databricks-langchain`
 * (which re-exports unitycatalog-ai's). Names `cat__sch__fn` (last 64 characters), descriptions from the
 * function comment, JSON schemas from the parameters, execution on a SQL warehouse through the Statement
 * Execution API with the same SQL, limits and output JSON as unitycatalog-ai's warehouse client
 * (packages/databricks-emulator/spec/sql.md "Unity Catalog").
 */
import type { DynamicStructuredTool } from "@langchain/core/tools";
import { type ClientOptions, httpClientFrom } from "../clients/shared.js";
import { DatabricksConfigError, isDatabricksError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import {
  assertSucceeded,
  quoteName,
  StatementExecutionClient,
  type StatementParameter,
  StatementResult,
  splitDotted,
} from "./statement-client.js";

const UC = "/api/2.1/unity-catalog/functions";

/** Default output cap (characters) before truncation with a note. */
export const DEFAULT_TOOL_OUTPUT_LIMIT = 10_000;

export interface FunctionParameterInfo {
  name: string;
  type_text: string;
  type_name: string;
  type_json?: string;
  position?: number;
  comment?: string;
  parameter_default?: string;
}

export interface FunctionInfo {
  name: string;
  catalog_name: string;
  schema_name: string;
  full_name: string;
  comment?: string;
  data_type: string;
  input_params?: { parameters?: FunctionParameterInfo[] };
}

export interface UCFunctionToolkitOptions extends ClientOptions {
  /** Full names (`cat.sch.fn`) or `cat.sch.*` for every function of a schema. */
  functionNames: string[];
  /** @default `DATABRICKS_WAREHOUSE_ID` */
  warehouseId?: string;
  /** Reuse a statement client (its HTTP client is then used for the Functions API too). */
  client?: StatementExecutionClient;
  /** Characters of tool output before it is cut with a note. @default 10_000 */
  maxOutputChars?: number;
  /** Rows a table function returns at most (`row_limit`). @default 100 */
  rowLimit?: number;
}

type JsonSchema = Record<string, unknown>;

/** JSON schema of one parameter (from `type_json` when present, else `type_name`). */
const schemaOf = (p: FunctionParameterInfo): JsonSchema => {
  let spark: unknown;
  try {
    spark = p.type_json ? (JSON.parse(p.type_json) as { type: unknown }).type : undefined;
  } catch {
    spark = undefined;
  }
  const fromSpark = (t: unknown): JsonSchema => {
    if (typeof t === "string") {
      const s = t.toLowerCase();
      if (["long", "integer", "short", "byte"].includes(s)) return { type: "integer" };
      if (["double", "float"].includes(s) || s.startsWith("decimal")) return { type: "number" };
      if (s === "boolean") return { type: "boolean" };
      if (s === "binary") return { type: "string", contentEncoding: "base64" };
      if (s === "date") return { type: "string", format: "date" };
      if (s.startsWith("timestamp")) return { type: "string", format: "date-time" };
      if (s === "variant") return {};
      return { type: "string" };
    }
    if (t && typeof t === "object") {
      const o = t as {
        type: string;
        elementType?: unknown;
        valueType?: unknown;
        fields?: { name: string; type: unknown }[];
      };
      if (o.type === "array") return { type: "array", items: fromSpark(o.elementType) };
      if (o.type === "map") return { type: "object", additionalProperties: fromSpark(o.valueType) };
      if (o.type === "struct") {
        return {
          type: "object",
          properties: Object.fromEntries((o.fields ?? []).map((f) => [f.name, fromSpark(f.type)])),
        };
      }
    }
    return { type: "string" };
  };
  if (spark !== undefined) return fromSpark(spark);
  const byName: Record<string, string> = {
    LONG: "long",
    INT: "integer",
    SHORT: "short",
    BYTE: "byte",
    DOUBLE: "double",
    FLOAT: "float",
    DECIMAL: "decimal",
    BOOLEAN: "boolean",
    DATE: "date",
    TIMESTAMP: "timestamp",
    BINARY: "binary",
  };
  return fromSpark(byName[p.type_name] ?? "string");
};

/** The tool's JSON schema: one property per parameter; parameters with a default are optional. */
export const functionInputSchema = (fn: FunctionInfo): JsonSchema => {
  const params = fn.input_params?.parameters ?? [];
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const p of params) {
    const s = schemaOf(p);
    let description = p.comment ?? "";
    if (p.parameter_default !== undefined) {
      description = `${description}${description ? " " : ""}(Default: ${p.parameter_default})`;
      try {
        s.default = p.parameter_default.toUpperCase() === "NULL" ? null : JSON.parse(p.parameter_default);
      } catch {
        s.default = p.parameter_default.replace(/^'(.*)'$/s, "$1");
      }
    } else required.push(p.name);
    if (description) s.description = description;
    properties[p.name] = s;
  }
  return { type: "object", properties, required, additionalProperties: false };
};

/** `cat.sch.fn` -> `cat__sch__fn`, keeping the last 64 characters. */
export const toolNameOf = (fullName: string): string => {
  const name = splitDotted(fullName).join("__");
  return name.length > 64 ? name.slice(-64) : name;
};

const COMPLEX = /^(ARRAY|MAP|STRUCT)/i;

/** The SQL and parameters unitycatalog-ai sends for a call (declaration order; named after the first omission). */
export const functionCall = (
  fn: FunctionInfo,
  args: Record<string, unknown>,
): { statement: string; parameters: StatementParameter[] } => {
  const params = fn.input_params?.parameters ?? [];
  const parameters: StatementParameter[] = [];
  const parts: string[] = [];
  let named = false;
  params.forEach((p, i) => {
    const v = args[p.name];
    if (v === undefined) {
      named = true;
      return;
    }
    const marker = `p${i}`;
    let expr = `:${marker}`;
    if (COMPLEX.test(p.type_text)) {
      parameters.push({ name: marker, value: JSON.stringify(v) });
      parameters.push({ name: `${marker}_type`, value: p.type_text });
      expr = `from_json(:${marker}, :${marker}_type)`;
    } else if (/^BINARY/i.test(p.type_text)) {
      parameters.push({ name: marker, value: String(v) });
      expr = `unbase64(:${marker})`;
    } else {
      parameters.push({
        name: marker,
        value: v === null ? null : typeof v === "object" ? JSON.stringify(v) : (v as string),
        type: p.type_text.toUpperCase(),
      });
    }
    parts.push(named ? `${quoteName(p.name)} => ${expr}` : expr);
  });
  const call = `${quoteName(fn.full_name)}(${parts.join(", ")})`;
  const statement = fn.data_type === "TABLE_TYPE" ? `SELECT * FROM ${call}` : `SELECT ${call}`;
  return { statement, parameters };
};

const csvCell = (v: string | null): string =>
  v === null ? "" : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/**
 * Tools from Unity Catalog functions.
 *
 * @example
 * const toolkit = new UCFunctionToolkit({ functionNames: ["main.tools.*"], warehouseId });
 * const tools = await toolkit.getTools();
 * const agent = createAgent({ model: new ChatDatabricks({ model: "databricks-claude-sonnet-4" }), tools });
 */
export class UCFunctionToolkit {
  readonly client: StatementExecutionClient;
  readonly httpClient: DatabricksHttpClient;
  readonly #options: UCFunctionToolkitOptions;
  #tools: DynamicStructuredTool[] | undefined;

  constructor(options: UCFunctionToolkitOptions) {
    if (!Array.isArray(options.functionNames) || options.functionNames.length === 0) {
      throw new DatabricksConfigError(
        "functionNames must list at least one function (cat.sch.fn or cat.sch.*).",
      );
    }
    this.#options = options;
    const { functionNames: _f, warehouseId, client, maxOutputChars: _m, rowLimit: _r, ...auth } = options;
    this.httpClient = client?.httpClient ?? httpClientFrom(auth);
    this.client = client ?? new StatementExecutionClient({ httpClient: this.httpClient, warehouseId });
  }

  /** Fetches the function definitions (once) and returns one tool per function. */
  async getTools(options: { signal?: AbortSignal } = {}): Promise<DynamicStructuredTool[]> {
    if (this.#tools) return this.#tools;
    const infos: FunctionInfo[] = [];
    for (const name of this.#options.functionNames) {
      const parts = splitDotted(name);
      if (parts.length !== 3)
        throw new DatabricksConfigError(
          `Function name '${name}' must be catalog.schema.function or catalog.schema.*.`,
        );
      if (parts[2] === "*") infos.push(...(await this.#list(parts[0]!, parts[1]!, options.signal)));
      else {
        infos.push(
          await this.httpClient.request<FunctionInfo>({
            method: "GET",
            path: `${UC}/${encodeURIComponent(parts.join("."))}`,
            signal: options.signal,
          }),
        );
      }
    }
    // Loaded here, not at the top: importing the package's main entry stays as light as before.
    const { DynamicStructuredTool: Tool } = await import("@langchain/core/tools");
    this.#tools = infos.map((fn) => this.#toolFor(fn, Tool));
    return this.#tools;
  }

  async #list(catalog: string, schema: string, signal?: AbortSignal): Promise<FunctionInfo[]> {
    const out: FunctionInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.httpClient.request<{ functions?: FunctionInfo[]; next_page_token?: string }>({
        method: "GET",
        path: UC,
        query: {
          catalog_name: catalog,
          schema_name: schema,
          max_results: "100",
          include_browse: "false",
          ...(token ? { page_token: token } : {}),
        },
        signal,
      });
      out.push(...(page.functions ?? []));
      token = page.next_page_token;
    } while (token);
    return out;
  }

  /** One tool for a function definition. */
  #toolFor(fn: FunctionInfo, Tool: typeof DynamicStructuredTool): DynamicStructuredTool {
    return new Tool({
      name: toolNameOf(fn.full_name),
      description: fn.comment ?? "",
      schema: functionInputSchema(fn) as never,
      func: async (args: Record<string, unknown>, _run, config) => this.execute(fn, args, config?.signal),
    });
  }

  /**
   * Runs the function and returns unitycatalog-ai's result JSON: `{"format":"SCALAR","value":...}` or
   * `{"format":"CSV","value":...}` with `truncated`, or `{"error":"<code>: <message>"}` (returned, not thrown,
   * so the agent can read it). Output past `maxOutputChars` is cut and says so.
   */
  async execute(fn: FunctionInfo, args: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const { statement, parameters } = functionCall(fn, args ?? {});
    let body: Record<string, unknown>;
    try {
      const first = await this.client.submit(statement, {
        warehouseId: this.#options.warehouseId,
        parameters,
        waitTimeout: 30,
        rowLimit: this.#options.rowLimit ?? 100,
        byteLimit: 1_048_576,
        signal,
      });
      const done = assertSucceeded(await this.client.wait(first, { signal }));
      const result = new StatementResult(this.client, done);
      const rows: (string | null)[][] = [];
      for await (const r of result.rows({ raw: true, signal })) rows.push(r as (string | null)[]);
      if (fn.data_type === "TABLE_TYPE") {
        const lines = [
          result.columns.map((c) => csvCell(c.name)).join(","),
          ...rows.map((r) => r.map(csvCell).join(",")),
        ];
        body = { format: "CSV", value: `${lines.join("\n")}\n`, truncated: result.truncated };
      } else body = { format: "SCALAR", value: rows[0]?.[0] ?? null, truncated: false };
    } catch (e) {
      if (signal?.aborted) throw e;
      const code = isDatabricksError(e) ? (e.errorCode ?? e.name) : "ERROR";
      return JSON.stringify({ error: `${code}: ${(e as Error).message}` });
    }
    const max = this.#options.maxOutputChars ?? DEFAULT_TOOL_OUTPUT_LIMIT;
    if (typeof body.value === "string" && body.value.length > max) {
      body.value = `${body.value.slice(0, max)}\n[truncated: output was ${String(body.value.length)} characters, limit ${max}]`;
      body.truncated = true;
    }
    if (body.value === null) delete body.value;
    return JSON.stringify(body);
  }
}
