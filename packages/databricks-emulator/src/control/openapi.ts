import type { CustomModel } from "../options.js";
import type { JsonObject } from "../util/json.js";
import type { EndpointRecord } from "./types.js";

/** A small OpenAPI 3.1 document describing the endpoint's invocation paths (C10). */
export const openApiDocument = (ep: EndpointRecord, models: Map<string, CustomModel>): JsonObject => {
  const paths: JsonObject = {};
  const requestSchema: JsonObject = {
    type: "object",
    properties: {
      dataframe_split: { type: "object" },
      dataframe_records: { type: "array" },
      instances: { type: "array" },
      inputs: {},
      params: { type: "object" },
      messages: { type: "array" },
      prompt: {},
      input: {},
    },
  };
  const op = (summary: string, signature?: CustomModel["signature"]): JsonObject => ({
    post: {
      summary,
      requestBody: { required: true, content: { "application/json": { schema: requestSchema } } },
      responses: { "200": { description: "Successful operation" } },
      ...(signature ? { "x-mlflow-signature": signature } : {}),
    },
  });
  for (const e of ep.config?.servedEntities ?? ep.pending?.config.servedEntities ?? []) {
    const signature = models.get(String(e.spec.entity_name))?.signature;
    paths[`/served-models/${e.name}/invocations`] = op(`Query served model ${e.name}`, signature);
  }
  paths["/invocations"] = op(`Query endpoint ${ep.name} (traffic split)`);
  return {
    openapi: "3.1.0",
    info: { title: ep.name, version: String(ep.config?.configVersion ?? 0) },
    servers: [{ url: `/serving-endpoints/${ep.name}` }],
    paths,
  };
};
