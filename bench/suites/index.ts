// Suite registry, in run order.
import type { Suite } from "../lib/types.js";
import { concurrencySuite } from "./concurrency.js";
import { embeddingsSuite } from "./embeddings.js";
import { footprintSuite } from "./footprint.js";
import { lakebaseSuite } from "./lakebase.js";
import { latencySuite } from "./latency.js";
import { memorySuite } from "./memory.js";
import { serverSuite } from "./server.js";
import { streamingSuite } from "./streaming.js";
import { unityCatalogSuite } from "./unity-catalog.js";
import { vectorSearchSuite } from "./vector-search.js";

export const SUITES: readonly Suite[] = [
  latencySuite,
  concurrencySuite,
  streamingSuite,
  embeddingsSuite,
  footprintSuite,
  serverSuite,
  memorySuite,
  unityCatalogSuite,
  vectorSearchSuite,
  lakebaseSuite,
];
