export { ChatDatabricks } from "./chat_databricks.js";
export type {
  ChatDatabricksCallOptions,
  ChatDatabricksInput,
  ChatDatabricksQuirks,
  ChatRoute,
} from "./types.js";
