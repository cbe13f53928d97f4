/** The options type lives in `src/options.ts` (auth and connection settings together); re-exported for old imports. */
export type { DatabricksAuthOptions } from "../options.js";
