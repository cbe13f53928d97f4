/** complete's checks before any request (fake IO; the host is a closed port, so a request would exit 4). */
import { expect, it } from "vitest";
import { fakeIO } from "../../test-support/fake-io.js";
import { runCli } from "../program.js";

const NO_SERVER = ["--host", "http://127.0.0.1:9", "--token", "dapi-test", "--max-retries", "0"];

async function run(args: string[], options: Parameters<typeof fakeIO>[0] = {}) {
  const io = fakeIO(options);
  const code = await runCli([...NO_SERVER, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

it("needs a target: -m, or --port for a driver proxy app", async () => {
  expect(await run(["complete", "hi"])).toEqual({
    code: 1,
    out: "",
    err: "Error: complete: pass -m/--model ENDPOINT, or --port N (and --cluster-id) for a driver proxy app.\n",
  });
});

it("no prompt: an empty pipe, or nothing at all on a terminal (not read: it would wait for typing)", async () => {
  const message = "Error: complete: no prompt given. Pass it as an argument or on stdin.\n";
  expect(await run(["complete", "-m", "dolly"], { stdin: " \n" })).toEqual({
    code: 1,
    out: "",
    err: message,
  });
  // On a terminal stdin is not read: this stdin has text, and it is ignored.
  expect(await run(["complete", "-m", "dolly"], { stdin: "typed", stdinIsTTY: true })).toEqual({
    code: 1,
    out: "",
    err: message,
  });
});
