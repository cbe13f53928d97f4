import type { BaseMessage } from "@langchain/core/messages";
import { type Command, Option } from "commander";
import { type CommandContext, contextFor, note, writeJson, writeLine } from "../context.js";
import { describeError, redact } from "../describe-error.js";
import { CliUsageError, ExitCode } from "../exit-codes.js";
import { type CliIO, readAll } from "../io.js";
import { textOf } from "../text.js";

interface ChatOptions {
  model: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  stream?: boolean;
  json?: boolean;
}

export function registerChat(program: Command, io: CliIO): void {
  program
    .command("chat")
    .description(
      "Chat with a serving endpoint. With a message: one answer. Without one: an interactive streaming REPL " +
        "on a terminal, or the message read from piped stdin.",
    )
    .argument("[message]", "what to say; omit for the REPL (or pipe it on stdin)")
    .requiredOption(
      "-m, --model <endpoint>",
      "serving endpoint name, e.g. databricks-meta-llama-3-3-70b-instruct",
    )
    .option("-s, --system <text>", "system prompt")
    .addOption(
      new Option("-t, --temperature <n>", "sampling temperature").argParser(parseNumber("--temperature")),
    )
    .addOption(
      new Option("--max-tokens <n>", "maximum tokens in the answer").argParser(parseNumber("--max-tokens")),
    )
    .option("--stream", "stream the one-shot answer token by token")
    .option("--json", "print {content, usage, model} as JSON (one-shot only)")
    .addHelpText(
      "after",
      '\nExamples:\n  langchain-databricks chat "hello" -m my-chat\n  echo "hello" | langchain-databricks chat -m my-chat --json\n  langchain-databricks chat -m databricks-meta-llama-3-3-70b-instruct   # REPL: /reset, /exit',
    )
    .action(async (message: string | undefined, opts: ChatOptions, command: Command) => {
      const ctx = contextFor(command, io);
      const model = await createModel(ctx, opts);
      if (message !== undefined) return oneShot(ctx, model, opts, message);
      if (io.stdin.isTTY) return repl(ctx, model, opts);
      const piped = (await readAll(io.stdin)).trim();
      if (!piped)
        throw new CliUsageError("chat: no message given and stdin is empty. Pass a message argument.");
      return oneShot(ctx, model, opts, piped);
    });
}

function parseNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw new CliUsageError(`${flag} must be a number, got "${value}".`);
    return n;
  };
}

type ChatModel = Awaited<ReturnType<typeof createModel>>;

async function createModel(ctx: CommandContext, opts: ChatOptions) {
  const { ChatDatabricks } = await import("langchain-databricks");
  return new ChatDatabricks({
    ...ctx.auth,
    model: opts.model,
    ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
    ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
  });
}

async function initialMessages(opts: ChatOptions): Promise<BaseMessage[]> {
  if (!opts.system) return [];
  const { SystemMessage } = await import("@langchain/core/messages");
  return [new SystemMessage(opts.system)];
}

async function oneShot(
  ctx: CommandContext,
  model: ChatModel,
  opts: ChatOptions,
  message: string,
): Promise<void> {
  const { HumanMessage } = await import("@langchain/core/messages");
  const messages = [...(await initialMessages(opts)), new HumanMessage(message)];
  if (opts.stream && !opts.json) {
    for await (const chunk of await model.stream(messages)) ctx.io.stdout.write(textOf(chunk.content));
    writeLine(ctx.io);
    return;
  }
  const answer = await model.invoke(messages);
  if (opts.json) {
    writeJson(ctx.io, {
      content: textOf(answer.content),
      tool_calls: answer.tool_calls ?? [],
      usage: answer.usage_metadata ?? null,
      model: answer.response_metadata?.model_name ?? answer.response_metadata?.model ?? null,
    });
  } else {
    writeLine(ctx.io, textOf(answer.content));
  }
}

const REPL_HELP =
  "Commands: /reset forgets the conversation, /exit (or Ctrl-D) quits. Ctrl-C stops an answer (at the prompt: quits).";

/**
 * The interactive loop: streams each answer and keeps the history. Ctrl-C cancels the answer in progress (or
 * quits at the prompt). A failed answer (timeout, retries exhausted, an API error) is reported and the session
 * goes on with the conversation as it was; only configuration errors, which nothing typed here can fix, end it.
 */
async function repl(ctx: CommandContext, model: ChatModel, opts: ChatOptions): Promise<void> {
  const { createInterface } = await import("node:readline");
  const { AIMessage, HumanMessage } = await import("@langchain/core/messages");
  const { io } = ctx;
  // Line editing only when stdout is a terminal too (e.g. not when the answers are piped to a file).
  const rl = createInterface({
    input: io.stdin,
    output: io.stdout as NodeJS.WritableStream,
    terminal: Boolean(io.stdout.isTTY),
  });
  let history: BaseMessage[] = await initialMessages(opts);
  let answering: AbortController | undefined;
  const onCtrlC = () => {
    if (answering) answering.abort();
    else rl.close();
  };
  // In terminal mode readline sees Ctrl-C as a key; otherwise it arrives as SIGINT.
  rl.on("SIGINT", onCtrlC);
  const offInterrupt = io.onInterrupt(onCtrlC);
  note(io, `Chatting with ${opts.model}. ${REPL_HELP}`);
  rl.setPrompt("you> ");
  rl.prompt();
  try {
    // The async iterator buffers lines typed (or piped) while an answer is still streaming.
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === "/exit" || line === "/quit") break;
      if (line === "/reset") {
        history = await initialMessages(opts);
        note(io, "(conversation reset)");
      } else if (line === "/help") {
        note(io, REPL_HELP);
      } else if (line) {
        const turn = [...history, new HumanMessage(line)];
        answering = new AbortController();
        let text = "";
        io.stdout.write("bot> ");
        try {
          for await (const chunk of await model.stream(turn, { signal: answering.signal })) {
            const piece = textOf(chunk.content);
            text += piece;
            io.stdout.write(piece);
          }
          writeLine(io);
          history = [...turn, new AIMessage(text)];
        } catch (error) {
          writeLine(io);
          if (answering.signal.aborted) {
            note(io, "(answer stopped)");
          } else {
            const report = describeError(error);
            if (report.exitCode === ExitCode.config) throw error;
            note(io, `Error: ${redact(report.message, ctx.secrets)}`);
            note(io, "(the conversation is unchanged: send the message again to retry)");
          }
        } finally {
          answering = undefined;
        }
      }
      rl.prompt();
    }
  } finally {
    offInterrupt();
    rl.close();
  }
}
