// Suite registry, in run order.
import type { Suite } from "../lib/types.js";
import { latencySuite } from "./latency.js";

export const SUITES: readonly Suite[] = [latencySuite];
