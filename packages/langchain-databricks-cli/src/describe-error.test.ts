/** describeError on thrown values the main table in cli.test.ts does not reach: what the user reads, and the exit code. */
import { DatabricksTimeoutError } from "langchain-databricks";
import { expect, it } from "vitest";
import { describeError } from "./describe-error.js";
import { ExitCode } from "./exit-codes.js";

it("an abort (Ctrl-C reaching the library) is 'Interrupted.' with 130, not an error", () => {
  expect(describeError(AbortSignal.abort().reason)).toEqual({
    message: "Interrupted.",
    exitCode: ExitCode.interrupted,
  });
});

it("a timeout message without final punctuation gets one before the --timeout hint", () => {
  expect(describeError(new DatabricksTimeoutError("no response after 10 ms"))).toEqual({
    message: "Timed out: no response after 10 ms. Raise --timeout (seconds) if the workspace is slow.",
    exitCode: ExitCode.network,
  });
});

it("other errors: the message alone for a plain Error, prefixed by the class otherwise; exit 1", () => {
  expect(describeError(new Error("something odd"))).toEqual({ message: "something odd", exitCode: 1 });
  expect(describeError(new RangeError("out of range"))).toEqual({
    message: "RangeError: out of range",
    exitCode: 1,
  });
  // A code that is neither a network nor a listen failure changes nothing.
  expect(describeError(Object.assign(new Error("no such file"), { code: "ENOENT" }))).toEqual({
    message: "no such file",
    exitCode: 1,
  });
});

it("a non-object cause ends the search for a network code; odd names and messages are shown as text", () => {
  expect(describeError(new TypeError("fetch failed", { cause: "socket hang up" }))).toEqual({
    message: "TypeError: fetch failed",
    exitCode: 1,
  });
  expect(describeError({ message: 42 })).toEqual({ message: "42", exitCode: 1 });
  expect(describeError({ name: "Weird" })).toEqual({ message: "Weird: ", exitCode: 1 });
});

it("a timeout message ending in a full stop gets no second one before the hint", () => {
  expect(describeError(new DatabricksTimeoutError("The workspace did not answer.")).message).toBe(
    "Timed out: The workspace did not answer. Raise --timeout (seconds) if the workspace is slow.",
  );
});
