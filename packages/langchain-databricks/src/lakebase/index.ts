/**
 * `langchain-databricks/lakebase`: agent memory on Lakebase (managed Postgres). A separate entry so that `pg` and
 * the LangGraph Postgres checkpointer load only when used; install them next to this package:
 * `npm install pg @langchain/langgraph-checkpoint-postgres`.
 */
export {
  CheckpointSaver,
  LakebaseCheckpointSaver,
  type LakebaseCheckpointSaverOptions,
} from "./checkpoint.js";
export { LakebaseCredentials, type LakebaseCredentialsOptions } from "./credentials.js";
export {
  LakebaseAuthenticationError,
  LakebaseConnectionError,
  LakebaseError,
  LakebaseInstanceNotReadyError,
  StoreValueError,
} from "./errors.js";
export {
  endpointOf,
  LAKEBASE_DATABASE,
  LAKEBASE_PORT,
  LakebasePool,
  type LakebasePoolOptions,
} from "./pool.js";
export { assertJsonObject, DatabricksStore, type DatabricksStoreOptions } from "./store.js";
