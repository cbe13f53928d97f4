/**
 * `ai_query` (spec/sql.md "ai_query"): the translator replaces each call with a lookup into a temp table; this
 * module fills that table before the statement runs. It runs the call's key query (the distinct request values
 * over the enclosing SELECT's FROM/WHERE), invokes the emulator's own serving endpoint for each distinct request
 * (bounded concurrency, the statement's principal needs CAN QUERY), and appends `(k, r, e)` rows: request key,
 * response (STRING text or JSON text) and error message.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { duckTypeOf } from "./engine.js";
import { quoteIdent } from "./tokenize.js";
import { type AiQueryCall, SqlAnalysisError } from "./translate.js";

/** What ai_query needs from the serving side: the endpoint's task and a way to query it. */
export interface ServingAccess {
  /** Task of the endpoint (`llm/v1/chat`, `llm/v1/embeddings`, ...) or undefined for custom models; throws when missing. */
  taskOf(endpoint: string): string | undefined;
  /** Queries the endpoint with a request body; resolves with the response body or rejects with its error. */
  query(endpoint: string, body: Record<string, unknown>): Promise<unknown>;
}

const RESERVED_PARAMS = new Set([
  "messages",
  "prompt",
  "input",
  "inputs",
  "dataframe_records",
  "dataframe_split",
]);
const KNOWN_PARAMS = new Set([
  "max_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "n",
  "presence_penalty",
  "frequency_penalty",
]);

interface Plan {
  /** How each response is turned into the stored `r` text. */
  extract(body: unknown): string;
  /** SQL expression of the typed result from column `r`. */
  typed: string;
  /** Databricks-side result type of `result`. */
  resultType: string;
  body(request: unknown): Record<string, unknown>;
}

const fail = (cls: string, state: string, message: string) => new SqlAnalysisError(cls, state, message);

const planFor = (call: AiQueryCall, task: string | undefined): Plan => {
  const params = call.modelParameters;
  const responseFormat = call.literals.responseformat;
  const returnType = call.literals.returntype;
  if (params) {
    if (task === undefined) {
      throw fail(
        "AI_FUNCTION_INVALID_MODEL_PARAMETERS.UNSUPPORTED_ENDPOINT_TYPE",
        "22023",
        `The provided model parameters are not valid in the AI_QUERY function for serving endpoint "${call.endpoint}": AI_QUERY function doesn't support the modelParameters argument for a custom model endpoint.`,
      );
    }
    for (const [k, v] of Object.entries(params)) {
      if (RESERVED_PARAMS.has(k)) {
        throw fail(
          "AI_FUNCTION_INVALID_MODEL_PARAMETERS.FOUND_RESERVED_PARAMETER_NAME",
          "22023",
          `The provided model parameters are not valid in the AI_QUERY function for serving endpoint "${call.endpoint}": the parameter "${k}" should be provided in the request argument of AI_QUERY.`,
        );
      }
      if (!KNOWN_PARAMS.has(k)) {
        throw fail(
          "AI_FUNCTION_INVALID_MODEL_PARAMETERS.UNSUPPORTED_MODEL_PARAMETER",
          "22023",
          `The provided model parameters are not valid in the AI_QUERY function for serving endpoint "${call.endpoint}": the parameter "${k}" is not supported.`,
        );
      }
      if (["max_tokens", "temperature", "top_p", "top_k", "n"].includes(k) && typeof v !== "number") {
        throw fail(
          "AI_FUNCTION_INVALID_MODEL_PARAMETERS.INVALID_PARAMETER_DATA_TYPE",
          "22023",
          `The provided model parameters are not valid in the AI_QUERY function for serving endpoint "${call.endpoint}": the parameter "${k}" has an invalid data type; expected a number but found ${JSON.stringify(v)}.`,
        );
      }
      if (k === "max_tokens" && (typeof v !== "number" || v <= 0)) {
        throw fail(
          "AI_FUNCTION_INVALID_MODEL_PARAMETERS.INVALID_NUMERIC_PARAMETER",
          "22023",
          `The provided model parameters are not valid in the AI_QUERY function for serving endpoint "${call.endpoint}": the parameter "max_tokens" must be greater than 0.`,
        );
      }
    }
  }
  const extra = params ?? {};
  if (task === "llm/v1/embeddings") {
    return {
      extract: (b) => JSON.stringify((b as { data: { embedding: number[] }[] }).data[0]!.embedding),
      typed: "CAST(CAST(r AS JSON) AS FLOAT[])",
      resultType: "ARRAY<FLOAT>",
      body: (input) => ({ input, ...extra }),
    };
  }
  if (task === "llm/v1/chat" || task === "llm/v1/completions") {
    let format: Record<string, unknown> | undefined;
    let typed = "r";
    let resultType = "STRING";
    if (typeof responseFormat === "string") {
      const rf = responseFormat.trim();
      if (rf.startsWith("{")) {
        try {
          format = JSON.parse(rf) as Record<string, unknown>;
        } catch {
          throw fail(
            "AI_FUNCTION_UNSUPPORTED_RESPONSE_FORMAT.JSON_STRING",
            "0A000",
            `Invalid response format "${rf}": not valid JSON.`,
          );
        }
      } else {
        try {
          typed = `json_transform(r, ${JSON.stringify(structureOf(rf)).replace(/'/g, "''").replace(/^/, "'").replace(/$/, "'")})`;
          resultType = rf;
          format = { type: "json_object" };
        } catch {
          throw fail(
            "AI_FUNCTION_UNSUPPORTED_RESPONSE_FORMAT.DDL_STRING",
            "0A000",
            `Invalid response format "${rf}": not a supported DDL type string.`,
          );
        }
      }
    }
    const chat = task === "llm/v1/chat";
    return {
      extract: chat
        ? (b) =>
            String((b as { choices: { message: { content: unknown } }[] }).choices[0]!.message.content ?? "")
        : (b) => String((b as { choices: { text: unknown }[] }).choices[0]!.text ?? ""),
      typed,
      resultType,
      body: (request) => ({
        ...(chat ? { messages: [{ role: "user", content: String(request) }] } : { prompt: String(request) }),
        ...(format ? { response_format: format } : {}),
        ...extra,
      }),
    };
  }
  // Custom (pyfunc) models: the request is a column or a struct of the model's inputs.
  const rt = typeof returnType === "string" ? returnType : "STRING";
  let duck: string;
  try {
    duck = duckTypeOf(rt);
  } catch {
    throw fail("INVALID_SCHEMA.PARSE_ERROR", "42K07", `Cannot parse the returnType '${rt}'.`);
  }
  return {
    extract: (b) => {
      const preds = (b as { predictions?: unknown }).predictions;
      const first = Array.isArray(preds) ? preds[0] : preds;
      return duck === "VARCHAR" && typeof first === "string" ? first : JSON.stringify(first);
    },
    typed: duck === "VARCHAR" ? "r" : `CAST(CAST(r AS JSON) AS ${duck})`,
    resultType: rt,
    body: (request) => ({
      dataframe_records: [typeof request === "object" && request !== null ? request : { input: request }],
    }),
  };
};

/** DDL struct type -> DuckDB json_transform structure. */
const structureOf = (ddl: string): unknown => {
  const duck = duckTypeOf(ddl);
  const walk = (d: string): unknown => {
    const m = /^STRUCT\((.*)\)$/s.exec(d);
    if (m) {
      const out: Record<string, unknown> = {};
      let depth = 0;
      let cur = "";
      const fields: string[] = [];
      for (const ch of m[1]!) {
        if (ch === "(") depth++;
        if (ch === ")") depth--;
        if (ch === "," && depth === 0) {
          fields.push(cur);
          cur = "";
        } else cur += ch;
      }
      if (cur) fields.push(cur);
      for (const f of fields) {
        const fm = /^\s*"((?:[^"]|"")*)"\s+(.*)$/s.exec(f)!;
        out[fm[1]!.replace(/""/g, '"')] = walk(fm[2]!.trim());
      }
      return out;
    }
    if (d.endsWith("[]")) return [walk(d.slice(0, -2))];
    return d;
  };
  return walk(duck);
};

const errorText = (e: unknown): string => {
  if (e instanceof Error) {
    const code = (e as { errorCode?: unknown }).errorCode;
    const status = (e as { status?: unknown }).status;
    return status !== undefined ? `${String(status)} ${String(code)}: ${e.message}` : e.message;
  }
  return String(e);
};

/**
 * Fills the temp tables for every ai_query call of a statement on `conn`; returns the replacement SQL of each
 * call (index -> expression). `failOnError` true (default): the first failing row fails the statement.
 */
export const prepareAiQueries = async (
  conn: DuckDBConnection,
  calls: AiQueryCall[],
  serving: ServingAccess,
  opts: { concurrency?: number; signal?: AbortSignal },
): Promise<void> => {
  for (const call of calls) {
    let task: string | undefined;
    try {
      task = serving.taskOf(call.endpoint);
    } catch (e) {
      throw fail(
        "AI_FUNCTION_HTTP_REQUEST_ERROR",
        "08000",
        `Error calling serving endpoint '${call.endpoint}': ${errorText(e)}`,
      );
    }
    const plan = planFor(call, task);
    const failOnError = call.literals.failonerror !== false;
    const keys = (await conn.runAndReadAll(call.keysQuery)).getRowsJson().map((r) => r[0] as string | null);
    const results = new Array<[string | null, string | null]>(keys.length);
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (next < keys.length && failure === undefined) {
        if (opts.signal?.aborted) return;
        const idx = next++;
        const key = keys[idx]!;
        if (key === null) {
          results[idx] = [null, null];
          continue;
        }
        try {
          const body = await serving.query(call.endpoint, plan.body(JSON.parse(key)));
          results[idx] = [plan.extract(body), null];
        } catch (e) {
          if (failOnError) failure ??= e;
          results[idx] = [null, errorText(e)];
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 16, keys.length) }, worker));
    if (opts.signal?.aborted) throw new Error("canceled");
    if (failure !== undefined) {
      throw fail(
        "AI_FUNCTION_HTTP_REQUEST_ERROR",
        "08000",
        `Error calling serving endpoint '${call.endpoint}': ${errorText(failure)}. Use failOnError => false to get per-row errors instead.`,
      );
    }
    const raw = quoteIdent(`${call.table}_raw`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${raw} (k VARCHAR, r VARCHAR, e VARCHAR)`);
    const app = await conn.createAppender(`${call.table}_raw`, "main", "temp");
    keys.forEach((k, i) => {
      const [r, e] = results[i]!;
      if (k === null) app.appendNull();
      else app.appendVarchar(k);
      if (r === null) app.appendNull();
      else app.appendVarchar(r);
      if (e === null) app.appendNull();
      else app.appendVarchar(e);
      app.endRow();
    });
    app.flushSync();
    app.closeSync();
    const value = failOnError ? plan.typed : `struct_pack(result := ${plan.typed}, errorMessage := e)`;
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(call.table)} AS SELECT k, ${value} AS v FROM ${raw}`,
    );
  }
};

/** The expression that replaces an ai_query call in the statement. */
export const aiQueryLookup = (call: AiQueryCall): string =>
  `(SELECT ${quoteIdent(call.table)}.v FROM ${quoteIdent(call.table)} WHERE ${quoteIdent(call.table)}.k = CAST(to_json(${call.request}) AS VARCHAR))`;
