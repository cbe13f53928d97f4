/**
 * chat without a model call (fake IO; the host is a closed loopback port, so a request would fail with exit 4):
 * flag values, the empty-stdin case, and the REPL's own commands and quitting.
 */
import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { type FakeIO, fakeIO } from "../../test-support/fake-io.js";
import { runCli } from "../program.js";

const NO_SERVER = ["--host", "http://127.0.0.1:9", "--token", "dapi-test", "--max-retries", "0"];

async function run(args: string[], io: FakeIO = fakeIO()) {
  const code = await runCli([...NO_SERVER, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

it("--temperature and --max-tokens must be numbers", async () => {
  for (const [flag, value] of [
    ["--temperature", "warm"],
    ["-t", " "],
    ["--max-tokens", "Infinity"],
  ]) {
    const r = await run(["chat", "hi", "-m", "m", flag as string, value as string]);
    const name = flag === "-t" ? "--temperature" : flag;
    expect(r).toEqual({ code: 1, out: "", err: `Error: ${name} must be a number, got "${value}".\n` });
  }
});

it("no message and an empty pipe: a usage error, not a request with an empty message", async () => {
  expect(await run(["chat", "-m", "m"], fakeIO({ stdin: "  \n" }))).toEqual({
    code: 1,
    out: "",
    err: "Error: chat: no message given and stdin is empty. Pass a message argument.\n",
  });
});

/** A REPL session on a terminal stdin that stays open until the test ends it. */
function terminalSession() {
  const io = fakeIO();
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = true;
  io.stdin = stdin;
  return { io, stdin };
}

it("REPL: /help prints the commands, blank lines are ignored, Ctrl-D (end of input) ends it with 0", async () => {
  const { io, stdin } = terminalSession();
  stdin.end("/help\n\n   \n");
  const r = await run(["chat", "-m", "my-chat", "-s", "be brief"], io);
  expect(r.code, r.err).toBe(0);
  const help =
    "Commands: /reset forgets the conversation, /exit (or Ctrl-D) quits. Ctrl-C stops an answer (at the prompt: quits).";
  expect(r.err).toBe(`Chatting with my-chat. ${help}\n${help}\n`);
  // A prompt for the start and after each line; no "bot>" since nothing was asked.
  expect(r.out).toBe("you> you> you> you> ");
});

it("REPL: /reset says so; /quit ends it", async () => {
  const { io, stdin } = terminalSession();
  stdin.write("/reset\n/quit\n");
  const r = await run(["chat", "-m", "my-chat"], io);
  expect(r.code, r.err).toBe(0);
  expect(r.err).toContain("(conversation reset)\n");
  expect(r.out).toBe("you> you> ");
});

it("REPL: Ctrl-C at the prompt (no answer in progress) quits with 0", async () => {
  const { io, stdin } = terminalSession();
  // Ctrl-C once the session has handled a line and is waiting at the prompt again.
  const write = io.stderr.write;
  io.stderr.write = (chunk: string) => {
    const r = write(chunk);
    if (chunk === "(conversation reset)\n") queueMicrotask(() => io.interrupt());
    return r;
  };
  stdin.write("/reset\n");
  const r = await run(["chat", "-m", "my-chat"], io);
  expect(r.code, r.err).toBe(0);
  expect(r.out).toBe("you> you> ");
  expect(stdin.writableEnded).toBe(false); // it was Ctrl-C, not the end of input, that ended it
});
