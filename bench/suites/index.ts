// Suite registry, in run order.
import type { Suite } from "../lib/types.js";
import { concurrencySuite } from "./concurrency.js";
import { latencySuite } from "./latency.js";
import { streamingSuite } from "./streaming.js";

export const SUITES: readonly Suite[] = [latencySuite, concurrencySuite, streamingSuite];
