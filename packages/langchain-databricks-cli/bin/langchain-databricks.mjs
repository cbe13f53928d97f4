#!/usr/bin/env node
// The package's bin. It is committed (not generated) because npm links bins at install time, before
// `npm run build` has created dist/: a bin pointing straight into dist/ is skipped by `npm ci` in a fresh clone.
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/main.js", import.meta.url);
import(entry.href).catch((error) => {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes(fileURLToPath(entry))) {
    process.stderr.write(
      "langchain-databricks: the CLI is not built yet (dist/ is missing). Run `npm run build`.\n",
    );
    process.exit(1);
  }
  throw error;
});
