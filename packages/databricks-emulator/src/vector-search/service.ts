/**
 * The Vector Search service `startEmulator` creates beside `sql` and `lakebase` (server.ts `Services`): the store of
 * endpoints, indexes and grants, loaded from and saved to `--data-dir`/vector-search (persist.ts) when there is one.
 * Every write is saved synchronously before the request is acknowledged, so it holds no timer or handle to close.
 */
import type { Ctx } from "../context.js";
import { embedderFor } from "./embedder.js";
import { VectorSearchPersister } from "./persist.js";
import { type SourceTables, UNAVAILABLE_SOURCE_TABLES } from "./source-tables.js";
import { VectorSearchStore } from "./store.js";

export interface VectorSearchOptions {
  dataDir?: string;
  transitionMs: number;
  sourceTables?: SourceTables;
}

/** Builds the Vector Search store (called once by `startEmulator`); `registerVectorSearchRoutes` serves it. */
export const createVectorSearchService = (ctx: Ctx, options: VectorSearchOptions): VectorSearchStore => {
  const persister = options.dataDir ? new VectorSearchPersister(options.dataDir) : undefined;
  let loading = true;
  const store: VectorSearchStore = new VectorSearchStore({
    clock: ctx.clock,
    transitionMs: options.transitionMs,
    embed: embedderFor(ctx),
    sourceTables: options.sourceTables ?? UNAVAILABLE_SOURCE_TABLES,
    onChange: (changed) => {
      if (!loading) persister?.save(store, changed);
    },
  });
  persister?.load(store);
  loading = false;
  return store;
};
