import { expect, test } from "vitest";
import { mockFetch } from "../../test-support/mock-fetch.js";
import { runChatModelUnitStandardTests } from "../../test-support/standard-unit.js";
import { ChatDatabricks } from "./chat-databricks.js";

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
