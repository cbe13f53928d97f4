/** Kept for older imports: the model plumbing lives in `src/model-support/`. */
export {
  AUTH_OPTION_KEYS,
  type DatabricksTransport,
  type HttpRequest,
  lazyTransport,
  type ModelHttpClient,
  maskSecretKwargs,
  pickAuthOptions,
} from "../model-support/plumbing.js";
export { invocationsPath } from "../serving-urls.js";
