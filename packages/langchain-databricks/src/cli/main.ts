#!/usr/bin/env node
import { PACKAGE_NAME, PACKAGE_VERSION } from "../version.js";

console.log(`${PACKAGE_NAME} ${PACKAGE_VERSION}`);
