/**
 * The one place serving URLs are built (paths relative to the workspace host). Endpoint names are URL-encoded:
 * names may contain `/` in apps routes.
 */

/** `POST /serving-endpoints/{name}/invocations`: the endpoint's own input format (every endpoint type). */
export function invocationsPath(endpoint: string): string {
  return `/serving-endpoints/${encodeURIComponent(endpoint)}/invocations`;
}

/** The OpenAI-compatible routes, where the endpoint is named by the body's `model`. */
export const CHAT_COMPLETIONS_PATH = "/serving-endpoints/chat/completions";
export const COMPLETIONS_PATH = "/serving-endpoints/completions";
export const EMBEDDINGS_PATH = "/serving-endpoints/embeddings";
export const RESPONSES_PATH = "/serving-endpoints/responses";
