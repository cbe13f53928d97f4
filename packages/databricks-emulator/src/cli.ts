#!/usr/bin/env node
import { EMULATOR_VERSION } from "./index.js";

console.log(`databricks-emulator ${EMULATOR_VERSION}`);
