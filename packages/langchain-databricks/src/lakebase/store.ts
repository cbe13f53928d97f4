import { cosineSimilarity } from "@langchain/core/utils/math";
import type { Item, Operation, OperationResults, SearchItem } from "@langchain/langgraph-checkpoint";
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
  /**
   * Where semantic search runs: `"pgvector"` in the database; `"in-process"` ranks the namespace's items by cosine
   * similarity here (embeddings cached in memory; fine for small namespaces); `"auto"` uses pgvector when the
   * instance offers the `vector` extension, in-process otherwise. @default "auto"
   */
  vectorSearch?: "auto" | "pgvector" | "in-process";
}

type SearchOptions = NonNullable<Parameters<PostgresStore["search"]>[1]>;
type Embed = IndexConfig["embed"];

/** The texts at a JSON path (`$`, `a.b`, `a[0]`, `a[*].b`) of a value; non-strings are JSON-encoded. */
const textsAt = (value: unknown, path: string): string[] => {
  if (path === "$") return [typeof value === "string" ? value : JSON.stringify(value)];
  let current: unknown[] = [value];
  for (const part of path
    .replace(/^\$\.?/, "")
    .split(/\.|(?=\[)/)
    .filter(Boolean)) {
    const idx = /^\[(\d+|\*)\]$/.exec(part);
    current = current.flatMap((v) => {
      if (idx) {
        if (!Array.isArray(v)) return [];
        return idx[1] === "*" ? v : [v[Number(idx[1])]];
      }
      return v !== null && typeof v === "object" && part in v ? [(v as Record<string, unknown>)[part]] : [];
    });
  }
  return current
    .filter((v) => v !== undefined && v !== null)
    .map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
};

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
  readonly #index: IndexConfig | undefined;
  readonly #vectorSearch: "auto" | "pgvector" | "in-process";
  #inProcess = false;
  readonly #embeddings = new Map<string, number[][]>();

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
    this.#index = index;
    this.#vectorSearch = options.vectorSearch ?? "auto";
    if (index && this.#vectorSearch === "in-process") this.#useInProcess();
  }

  /** Which semantic search this store uses (after `setup()` for `"auto"`). */
  get semanticSearch(): "pgvector" | "in-process" | "none" {
    if (!this.#index) return "none";
    return this.#inProcess ? "in-process" : "pgvector";
  }

  #useInProcess(): void {
    // The base class then creates no vector tables and embeds nothing on put; search is ranked here.
    (this as unknown as { core: { indexConfig?: unknown } }).core.indexConfig = undefined;
    this.#inProcess = true;
  }

  override async setup(): Promise<void> {
    try {
      if (this.#index && this.#vectorSearch === "auto" && !this.#inProcess) {
        const { rows } = await this.lakebasePool.query(
          "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'",
        );
        if (rows.length === 0) this.#useInProcess();
      }
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

  override async search(namespacePrefix: string[], options: SearchOptions = {}): Promise<SearchItem[]> {
    try {
      if (this.#inProcess && options.query) return await this.#cosineSearch(namespacePrefix, options);
      return await super.search(namespacePrefix, options);
    } catch (e) {
      throw toLakebaseError(e, "Searching the store");
    }
  }

  /** In-process semantic search: every item of the namespace, ranked by its best field's cosine similarity. */
  async #cosineSearch(prefix: string[], options: SearchOptions): Promise<SearchItem[]> {
    const index = this.#index as IndexConfig;
    const { query, limit = 10, offset = 0, filter } = options;
    const items = await super.search(prefix, { ...(filter ? { filter } : {}), limit: 10_000 });
    const fields = index.fields ?? ["$"];
    const embed = (texts: string[]) => embedWith(index.embed, texts);
    const missing: { cacheKey: string; texts: string[] }[] = [];
    const keyOf = (it: Item) =>
      `${it.namespace.join("\u0000")}\u0000${it.key}\u0000${new Date(it.updatedAt).getTime()}`;
    for (const it of items) {
      const cacheKey = keyOf(it);
      if (this.#embeddings.has(cacheKey)) continue;
      const texts = fields.flatMap((f) => textsAt(it.value, f)).filter((t) => t.trim() !== "");
      missing.push({ cacheKey, texts });
    }
    const flat = missing.flatMap((m) => m.texts);
    const vectors = flat.length > 0 ? await embed(flat) : [];
    let at = 0;
    for (const m of missing) {
      this.#embeddings.set(m.cacheKey, vectors.slice(at, at + m.texts.length));
      at += m.texts.length;
    }
    const q =
      typeof index.embed === "function"
        ? (await index.embed([query as string]))[0]
        : await index.embed.embedQuery(query as string);
    const scored = items.map((it) => {
      const vs = this.#embeddings.get(keyOf(it)) ?? [];
      // One row of similarities (query against each field's embedding); zero vectors score 0.
      const score = vs.length === 0 || !q?.length ? 0 : Math.max(...(cosineSimilarity([q], vs)[0] ?? [0]));
      return { ...it, score };
    });
    scored.sort((a, b) => b.score - a.score);
    return scored.slice(offset, offset + limit);
  }

  override async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    for (const op of operations) {
      if ("value" in op && op.value !== null && op.value !== undefined) {
        assertJsonObject(op.value, `value of ${JSON.stringify([...op.namespace, op.key])}`);
      }
    }
    try {
      if (this.#inProcess && operations.some((op) => "namespacePrefix" in op && op.query)) {
        const out: unknown[] = [];
        for (const op of operations) {
          if ("namespacePrefix" in op && op.query) {
            out.push(
              await this.#cosineSearch(op.namespacePrefix, {
                query: op.query,
                ...(op.filter ? { filter: op.filter } : {}),
                ...(op.limit !== undefined ? { limit: op.limit } : {}),
                ...(op.offset !== undefined ? { offset: op.offset } : {}),
              }),
            );
          } else out.push(((await super.batch([op])) as unknown[])[0]);
        }
        return out as OperationResults<Op>;
      }
      return await super.batch(operations);
    } catch (e) {
      throw toLakebaseError(e, "Running store operations");
    }
  }
}

const embedWith = async (embed: Embed, texts: string[]): Promise<number[][]> =>
  typeof embed === "function" ? embed(texts) : embed.embedDocuments(texts);

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
