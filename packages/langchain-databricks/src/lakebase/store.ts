import type { Item, Operation, OperationResults } from "@langchain/langgraph-checkpoint";
import { PostgresStore } from "@langchain/langgraph-checkpoint-postgres/store";
import { DatabricksEmbeddings } from "../embeddings.js";
import { DatabricksConfigError } from "../errors.js";
import { StoreValueError, toLakebaseError } from "./errors.js";
import { LakebasePool, type LakebasePoolOptions } from "./pool.js";

type PostgresStoreConfig = ConstructorParameters<typeof PostgresStore>[0];
type IndexConfig = NonNullable<PostgresStoreConfig["index"]>;

/** Options of {@link DatabricksStore}. */
export interface DatabricksStoreOptions extends Partial<LakebasePoolOptions> {
  /** Share an existing pool (then the pool options are ignored). */
  pool?: LakebasePool;
  /** Postgres schema for the store tables. @default "public" */
  schema?: string;
  /** Item expiry: `defaultTtl` minutes, `refreshOnRead`, `sweepIntervalMinutes`. */
  ttl?: PostgresStoreConfig["ttl"];
  /** Semantic search with any LangChain embeddings (`{ dims, embed, fields }`); needs pgvector on the instance. */
  index?: IndexConfig;
  /** Python style: a Databricks embeddings endpoint for semantic search (with `embeddingDims`). */
  embeddingEndpoint?: string;
  /** Dimensions of `embeddingEndpoint`'s vectors. */
  embeddingDims?: number;
  /** JSON paths of the value to embed. @default ["$"] */
  embeddingFields?: string[];
}

/**
 * Long-term agent memory on Lakebase: a LangGraph `BaseStore` (put/get/search/delete by namespace,
 * listNamespaces, TTLs, semantic search) built on `PostgresStore` from `@langchain/langgraph-checkpoint-postgres`
 * over a {@link LakebasePool}. Semantic search uses pgvector on the instance (loaded in the emulator; available on
 * Lakebase). Values must be JSON: anything else fails with {@link StoreValueError} before any I/O.
 * Python: `databricks_langchain.DatabricksStore`.
 *
 * @example
 * const store = new DatabricksStore({ instanceName: "agent-memory" });
 * await store.setup();
 * await store.put(["users", "u1"], "prefs", { theme: "dark" });
 */
export class DatabricksStore extends PostgresStore {
  readonly lakebasePool: LakebasePool;

  constructor(options: DatabricksStoreOptions) {
    const pool = options.pool ?? new LakebasePool(options as LakebasePoolOptions);
    let index = options.index;
    if (!index && options.embeddingEndpoint) {
      if (!options.embeddingDims) {
        throw new DatabricksConfigError("DatabricksStore: embeddingEndpoint needs embeddingDims.");
      }
      index = {
        dims: options.embeddingDims,
        embed: new DatabricksEmbeddings({ endpoint: options.embeddingEndpoint, client: pool.httpClient }),
        fields: options.embeddingFields ?? ["$"],
      };
    }
    super({
      // A placeholder the base class turns into an unused pg.Pool (no I/O); replaced with the Lakebase pool below.
      connectionOptions: { max: 1 },
      ...(options.schema ? { schema: options.schema } : {}),
      ...(options.ttl ? { ttl: options.ttl } : {}),
      ...(index ? { index } : {}),
    });
    const core = (this as unknown as { core?: { pool?: unknown } }).core;
    if (!core || typeof core !== "object" || !("pool" in core)) {
      throw new DatabricksConfigError(
        "DatabricksStore: this @langchain/langgraph-checkpoint-postgres version has no PostgresStore.core.pool.",
      );
    }
    core.pool = pool;
    this.lakebasePool = pool;
  }

  override async setup(): Promise<void> {
    try {
      await super.setup();
    } catch (e) {
      throw toLakebaseError(e, "Setting up the store tables");
    }
  }

  override async put(
    namespace: string[],
    key: string,
    value: Record<string, unknown>,
    index?: false | string[],
    options?: { ttl?: number },
  ): Promise<void> {
    assertJsonObject(value, `value of ${JSON.stringify([...namespace, key])}`);
    try {
      await super.put(namespace, key, value, index, options);
    } catch (e) {
      throw toLakebaseError(e, "Writing a store item");
    }
  }

  override async get(namespace: string[], key: string): Promise<Item | null> {
    try {
      return await super.get(namespace, key);
    } catch (e) {
      throw toLakebaseError(e, "Reading a store item");
    }
  }

  override async delete(namespace: string[], key: string): Promise<void> {
    try {
      await super.delete(namespace, key);
    } catch (e) {
      throw toLakebaseError(e, "Deleting a store item");
    }
  }

  override async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    for (const op of operations) {
      if ("value" in op && op.value !== null && op.value !== undefined) {
        assertJsonObject(op.value, `value of ${JSON.stringify([...op.namespace, op.key])}`);
      }
    }
    try {
      return await super.batch(operations);
    } catch (e) {
      throw toLakebaseError(e, "Running store operations");
    }
  }
}

/** Throws {@link StoreValueError} unless `value` is a plain object of JSON values (no lossy conversion). */
export const assertJsonObject = (value: unknown, what: string): void => {
  if (!isPlainObject(value)) {
    throw new StoreValueError(`Store ${what} must be a plain JSON object, got ${describe(value)}.`);
  }
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): void => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new StoreValueError(`Store ${what} is not JSON: ${path} is ${v}.`);
      return;
    }
    if (Array.isArray(v) || isPlainObject(v)) {
      if (seen.has(v))
        throw new StoreValueError(`Store ${what} is not JSON: ${path} is a circular reference.`);
      seen.add(v);
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) walk(v[i], `${path}[${i}]`);
      } else for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
      seen.delete(v);
      return;
    }
    throw new StoreValueError(`Store ${what} is not JSON: ${path} is ${describe(v)}.`);
  };
  walk(value, "$");
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const describe = (v: unknown): string => {
  if (v === undefined) return "undefined";
  if (typeof v === "bigint") return "a BigInt";
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return "a symbol";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object" && v !== null) return `an instance of ${v.constructor?.name ?? "a class"}`;
  return typeof v;
};
