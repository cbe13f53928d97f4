export { ChatDatabricks } from "./chat-databricks.js";
export type {
  ChatDatabricksCallOptions,
  ChatDatabricksInput,
  ChatDatabricksQuirks,
  ChatRoute,
} from "./types.js";
