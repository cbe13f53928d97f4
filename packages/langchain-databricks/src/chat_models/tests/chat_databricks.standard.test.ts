import { expect, test } from "vitest";
import { mockFetch } from "../../utils/tests/mock_fetch.js";
import { ChatDatabricks } from "../chat_databricks.js";
import { runChatModelUnitStandardTests } from "./standard_unit.js";

// Any request reaching the network layer fails the abort tests loudly.
const guard = mockFetch(() => {
  throw new Error("no request expected in standard unit tests");
});

runChatModelUnitStandardTests("ChatDatabricksStandardUnitTests", ChatDatabricks, {
  model: "databricks-meta-llama-3-3-70b-instruct",
  host: "https://unit.test",
  fetch: guard.fetch,
});

test("standard unit tests made no request", () => {
  expect(guard.calls).toHaveLength(0);
});
