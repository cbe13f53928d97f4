import { ApiError, badRequest } from "../errors.js";
import type { CustomModel } from "../options.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { EventSource } from "./sse.js";

const INPUT_FIELDS = ["dataframe_split", "dataframe_records", "instances", "inputs"] as const;
const EXACTLY_ONE =
  "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}.";
/** Bodies of the "unified LLM input" form reach the model unwrapped (spec/serving.md 3.3A). */
const UNIFIED_FIELDS = ["messages", "prompt", "input"];

export type Outcome = { kind: "json"; body: JsonObject } | { kind: "stream"; events: EventSource };

const pyList = (keys: string[]) => `[${keys.map((k) => `'${k}'`).join(", ")}]`;

const modelFailed = (err: unknown): ApiError => {
  if (err instanceof ApiError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  // Lowercase "unexpected error": the Python SDK retries messages containing "Unexpected error".
  return badRequest(
    `Encountered an unexpected error while evaluating the model. Verify that the input is compatible with the model for inference. Error '${detail.slice(0, 500)}'`,
  );
};

/** Converts `dataframe_split` (pandas split orientation) to records. */
const splitToRecords = (split: unknown): JsonObject[] => {
  if (!isObject(split) || !Array.isArray(split.data)) {
    throw badRequest("Failed to parse input from JSON: dataframe_split needs 'columns' and 'data' lists.");
  }
  const columns = split.columns;
  return split.data.map((row, r) => {
    if (!Array.isArray(row))
      throw badRequest(`Failed to parse input from JSON: dataframe_split.data[${r}] is not a list.`);
    if (!Array.isArray(columns)) return Object.fromEntries(row.map((v, i) => [String(i), v]));
    if (row.length !== columns.length) {
      throw badRequest(
        `Failed to parse input from JSON: dataframe_split.data[${r}] has ${row.length} values for ${columns.length} columns.`,
      );
    }
    return Object.fromEntries(columns.map((c, i) => [String(c), row[i]]));
  });
};

/**
 * `inputs` is tensor/columnar: a list passes through; a dict of equal-length lists is a column-oriented frame
 * (converted to records, as MLflow builds a DataFrame); any other value becomes a single record.
 */
const inputsToRecords = (inputs: unknown): unknown[] => {
  if (Array.isArray(inputs)) return inputs;
  if (isObject(inputs)) {
    const cols = Object.entries(inputs);
    const len = cols.length > 0 && Array.isArray(cols[0]![1]) ? (cols[0]![1] as unknown[]).length : -1;
    if (len >= 0 && cols.every(([, v]) => Array.isArray(v) && v.length === len)) {
      return Array.from({ length: len }, (_, i) =>
        Object.fromEntries(cols.map(([k, v]) => [k, (v as unknown[])[i]])),
      );
    }
  }
  return [inputs];
};

/** A parsed scoring-server request: the unified LLM body as is, or records from exactly one input field. */
type PyfuncInput = { unified: JsonObject } | { records: unknown; params: JsonObject | undefined };

/**
 * MLflow scoring-server input validation (exactly one of the input fields, each well formed, `params` an
 * object). Runs before any model is looked up or called, so a malformed body is always the 400.
 */
export const parsePyfuncInput = (body: unknown): PyfuncInput => {
  if (Array.isArray(body)) throw badRequest(`${EXACTLY_ONE} Received a list.`);
  if (!isObject(body)) throw badRequest(`${EXACTLY_ONE} Received a non-dictionary input.`);
  const present = INPUT_FIELDS.filter((f) => body[f] !== undefined);
  if (present.length === 0 && UNIFIED_FIELDS.some((f) => body[f] !== undefined)) return { unified: body };
  if (present.length !== 1) {
    const keys = Object.keys(body).filter((k) => k !== "params");
    throw badRequest(`${EXACTLY_ONE} Received dictionary with input fields: ${pyList(keys)}`);
  }
  const params = body.params;
  if (params !== undefined && !isObject(params)) {
    throw badRequest("Failed to parse input from JSON: 'params' must be a JSON object.");
  }
  const field = present[0]!;
  let records: unknown = body[field];
  if (field === "dataframe_split") records = splitToRecords(records);
  if (field === "dataframe_records" && !Array.isArray(records)) {
    throw badRequest("Failed to parse input from JSON: dataframe_records must be a list of records.");
  }
  if (field === "instances" && !Array.isArray(records)) {
    throw badRequest("Failed to parse input from JSON: instances must be a list.");
  }
  if (field === "inputs") records = inputsToRecords(records);
  return { records, params };
};

/** Runs a registered pyfunc-style model with MLflow scoring-server semantics. */
export const invokePyfunc = async (model: CustomModel, body: unknown): Promise<JsonObject> => {
  const input = parsePyfuncInput(body);
  if ("unified" in input) {
    const out = await run(model, input.unified, undefined);
    return isObject(out) ? out : { predictions: out };
  }
  return { predictions: await run(model, input.records, input.params) };
};

const run = async (
  model: CustomModel,
  records: unknown,
  params: JsonObject | undefined,
): Promise<unknown> => {
  try {
    const out = await model.predict(records, params);
    return out === undefined ? null : out;
  } catch (err) {
    throw modelFailed(err);
  }
};

/** Runs a ChatAgent / ResponsesAgent module: the whole body in, an agent-shaped body (or stream) out. */
export const invokeAgent = async (model: CustomModel, body: unknown): Promise<Outcome> => {
  if (!isObject(body)) throw badRequest("Bad request: the request body must be a JSON object.");
  const wantsStream = body.stream === true;
  if (wantsStream && model.predictStream) {
    try {
      return { kind: "stream", events: model.predictStream(body) };
    } catch (err) {
      throw modelFailed(err);
    }
  }
  const out = await run(model, body, isObject(body.custom_inputs) ? body.custom_inputs : undefined);
  if (!isObject(out)) throw modelFailed(new Error("the agent returned a non-object response"));
  if (!wantsStream) return { kind: "json", body: out };
  return { kind: "stream", events: agentChunks(model.kind, out) };
};

/** Streams a non-streaming agent answer as the chunk shapes clients expect. */
function* agentChunks(kind: CustomModel["kind"], out: JsonObject): Generator<JsonObject> {
  if (kind === "responses-agent") {
    const items = Array.isArray(out.output) ? out.output : [];
    for (const item of items) yield { type: "response.output_item.done", item };
    yield { type: "response.completed", response: out };
    return;
  }
  const messages = Array.isArray(out.messages) ? out.messages : [];
  for (const m of messages) yield { delta: m };
}
