/** URL prefixes of the Vector Search API. Wire shapes: packages/databricks-emulator/spec/vector-search.md. */

/** The workspace URL prefix of every Vector Search route. */
export const VS_API = "/api/2.0/vector-search";
/** Where `status.index_url` points: the emulator's stand-in for the per-index data-plane host. */
export const DATA_PLANE_PREFIX = `${VS_API}/data-plane`;
