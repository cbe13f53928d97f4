import type { RunnableConfig } from "@langchain/core/runnables";
import type {
  ChannelVersions,
  Checkpoint,
  CheckpointListOptions,
  CheckpointMetadata,
  CheckpointTuple,
  PendingWrite,
  SerializerProtocol,
} from "@langchain/langgraph-checkpoint";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { toLakebaseError } from "./errors.js";
import { LakebasePool, type LakebasePoolOptions } from "./pool.js";

/** Options of {@link LakebaseCheckpointSaver}: the pool's options, or a pool to share. */
export interface LakebaseCheckpointSaverOptions extends Partial<LakebasePoolOptions> {
  /** Share an existing pool (then the pool options are ignored). */
  pool?: LakebasePool;
  /** Postgres schema for the checkpoint tables. @default "public" */
  schema?: string;
  serde?: SerializerProtocol;
}

/**
 * LangGraph checkpointer on Lakebase: `PostgresSaver` from `@langchain/langgraph-checkpoint-postgres` over a
 * {@link LakebasePool} (rotating credentials). Call `setup()` once to create the tables. Errors are typed
 * (`LakebaseConnectionError`, `LakebaseAuthenticationError`, `LakebaseError` with the SQLSTATE).
 * Python: `databricks_langchain.CheckpointSaver`.
 *
 * @example
 * const checkpointer = new LakebaseCheckpointSaver({ instanceName: "agent-memory" });
 * await checkpointer.setup();
 * const agent = createAgent({ model, tools: [], checkpointer });
 */
export class LakebaseCheckpointSaver extends PostgresSaver {
  /** The pool the checkpointer uses. */
  readonly lakebasePool: LakebasePool;

  constructor(options: LakebaseCheckpointSaverOptions) {
    const pool = options.pool ?? new LakebasePool(options as LakebasePoolOptions);
    super(pool, options.serde, options.schema ? { schema: options.schema } : {});
    this.lakebasePool = pool;
  }

  override async setup(): Promise<void> {
    try {
      await super.setup();
    } catch (e) {
      throw toLakebaseError(e, "Setting up the checkpoint tables");
    }
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    try {
      return await super.getTuple(config);
    } catch (e) {
      throw toLakebaseError(e, "Reading a checkpoint");
    }
  }

  override async *list(
    config: RunnableConfig,
    options?: CheckpointListOptions,
  ): AsyncGenerator<CheckpointTuple> {
    try {
      yield* super.list(config, options);
    } catch (e) {
      throw toLakebaseError(e, "Listing checkpoints");
    }
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    try {
      return await super.put(config, checkpoint, metadata, newVersions);
    } catch (e) {
      throw toLakebaseError(e, "Writing a checkpoint");
    }
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    try {
      await super.putWrites(config, writes, taskId);
    } catch (e) {
      throw toLakebaseError(e, "Writing pending writes");
    }
  }

  override async deleteThread(threadId: string): Promise<void> {
    try {
      await super.deleteThread(threadId);
    } catch (e) {
      throw toLakebaseError(e, "Deleting a thread");
    }
  }
}

/** Python's name for {@link LakebaseCheckpointSaver}. */
export const CheckpointSaver = LakebaseCheckpointSaver;
