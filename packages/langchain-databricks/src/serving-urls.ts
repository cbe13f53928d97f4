/**
 * The one place serving URLs are built (paths relative to the workspace host). Endpoint names are URL-encoded:
 * names may contain `/` in apps routes.
 */

/** The serving endpoints control plane. */
export const SERVING_ENDPOINTS_API = "/api/2.0/serving-endpoints";

/** `/api/2.0/serving-endpoints/{name}[/{sub}]`: one endpoint, or one of its sub-resources (`config`, `tags`...). */
export function servingEndpointPath(endpoint: string, sub?: string): string {
  const base = `${SERVING_ENDPOINTS_API}/${encodeURIComponent(endpoint)}`;
  return sub === undefined ? base : `${base}/${sub}`;
}

/**
 * `POST /serving-endpoints/{name}/invocations`: the endpoint's own input format (every endpoint type); with
 * `servedModel`, one served entity directly (`.../served-models/{model}/invocations`), bypassing the traffic split.
 */
export function invocationsPath(endpoint: string, servedModel?: string): string {
  const base = `/serving-endpoints/${encodeURIComponent(endpoint)}`;
  return servedModel === undefined
    ? `${base}/invocations`
    : `${base}/served-models/${encodeURIComponent(servedModel)}/invocations`;
}

/** The OpenAI-compatible routes, where the endpoint is named by the body's `model`. */
export const CHAT_COMPLETIONS_PATH = "/serving-endpoints/chat/completions";
export const COMPLETIONS_PATH = "/serving-endpoints/completions";
export const EMBEDDINGS_PATH = "/serving-endpoints/embeddings";
export const RESPONSES_PATH = "/serving-endpoints/responses";
