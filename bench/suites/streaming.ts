// Suite 3: streaming a long response: time to first token (TTFT) and content chunks per second, ours vs
// ChatOpenAI vs @databricks/langchainjs vs a raw undici SSE reader, interleaved rounds.
import { performance } from "node:perf_hooks";
import { request } from "undici";
import { chatOpenAIModel, NAMES, ourChatModel, peerChatModel } from "../lib/chat-subjects.js";
import type { ChatLike, Loaded } from "../lib/load.js";
import { errorMessage } from "../lib/measure.js";
import { addLatency, addRatio, emptyResult } from "../lib/result.js";
import { median, pairedRatio, round, summarize } from "../lib/stats.js";
import type { Suite, SuiteContext, SuiteResult, Target } from "../lib/types.js";

export interface StreamingOptions {
  maxTokens: number;
  warmup: number;
  rounds: number;
  iterations: number;
}

export function streamingOptions(quick: boolean): StreamingOptions {
  return quick
    ? { maxTokens: 200, warmup: 2, rounds: 2, iterations: 3 }
    : { maxTokens: 1000, warmup: 5, rounds: 10, iterations: 8 };
}

/** One streamed response: ms to the first non-empty content delta, total ms, and content chunks seen. */
interface StreamSample {
  ttft: number;
  total: number;
  chunks: number;
}

interface Streamer {
  name: string;
  run(): Promise<StreamSample>;
}

// The emulator answers "long" prompts with max_tokens filler words, one SSE event per token.
const LONG_PROMPT = "Write a long story about a lighthouse keeper.";

/** Minimal SSE reader on raw undici: split on blank lines, JSON.parse each `data:` payload. */
function rawStreamer(target: Target, maxTokens: number): Streamer {
  const decoder = new TextDecoder();
  const run = async (): Promise<StreamSample> => {
    const t0 = performance.now();
    const res = await request(`${target.url}/serving-endpoints/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${target.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: target.chatEndpoint,
        messages: [{ role: "user", content: LONG_PROMPT }],
        max_tokens: maxTokens,
        stream: true,
      }),
    });
    if (res.statusCode !== 200)
      throw new Error(`raw stream: HTTP ${res.statusCode} ${await res.body.text()}`);
    let ttft = Number.NaN;
    let chunks = 0;
    let buffer = "";
    for await (const piece of res.body) {
      buffer += decoder.decode(piece as Uint8Array, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut !== -1) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf("\n\n");
        if (!event.startsWith("data:")) continue;
        const data = event.slice(5).trim();
        if (data === "[DONE]") continue;
        const json = JSON.parse(data) as { choices?: { delta?: { content?: unknown } }[] };
        const content = json.choices?.[0]?.delta?.content;
        if (typeof content === "string" && content.length > 0) {
          if (chunks === 0) ttft = performance.now() - t0;
          chunks++;
        }
      }
    }
    return { ttft, total: performance.now() - t0, chunks };
  };
  return { name: "raw undici SSE", run };
}

function modelStreamer(name: string, model: ChatLike): Streamer {
  const run = async (): Promise<StreamSample> => {
    const t0 = performance.now();
    let ttft = Number.NaN;
    let chunks = 0;
    for await (const chunk of await model.stream(LONG_PROMPT)) {
      if (typeof chunk.content === "string" && chunk.content.length > 0) {
        if (chunks === 0) ttft = performance.now() - t0;
        chunks++;
      }
    }
    return { ttft, total: performance.now() - t0, chunks };
  };
  return { name, run };
}

/** A streamer for a chat model, or record why it cannot run. */
function fromModel(result: SuiteResult, name: string, model: Loaded<ChatLike>): Streamer | undefined {
  if (!model.ok) {
    result.skippedSubjects.push({ subject: name, reason: model.reason });
    return undefined;
  }
  return modelStreamer(name, model.value);
}

export async function runStreaming(ctx: SuiteContext, opts: StreamingOptions): Promise<SuiteResult> {
  const result = emptyResult("streaming", "Streaming a long response");
  const target = ctx.target;
  const extra = { maxTokens: opts.maxTokens };
  const candidates = [
    rawStreamer(target, opts.maxTokens),
    fromModel(result, NAMES.ours, await ourChatModel(target, extra)),
    fromModel(result, NAMES.chatOpenAI, await chatOpenAIModel(target, { ...extra, streamUsage: true })),
    fromModel(result, NAMES.peer, await peerChatModel(target, extra)),
  ];
  const alive: Streamer[] = [];
  for (const s of candidates) {
    if (!s) continue;
    try {
      for (let i = 0; i < opts.warmup; i++) await s.run();
      alive.push(s);
    } catch (err) {
      result.skippedSubjects.push({ subject: s.name, reason: `failed: ${errorMessage(err)}` });
    }
  }
  const samples = new Map<string, StreamSample[]>(alive.map((s) => [s.name, []]));
  const roundTtft = new Map<string, number[]>(alive.map((s) => [s.name, []]));
  ctx.log(
    `streaming: ${alive.length} subjects, ${opts.rounds} rounds x ${opts.iterations}, max_tokens ${opts.maxTokens}`,
  );
  for (let round = 0; round < opts.rounds; round++) {
    for (let i = 0; i < alive.length; i++) {
      const s = alive[(i + round) % alive.length] as Streamer;
      const mine: StreamSample[] = [];
      try {
        for (let k = 0; k < opts.iterations; k++) mine.push(await s.run());
      } catch (err) {
        result.notes.push(`${s.name} failed in round ${round}: ${errorMessage(err)}`);
      }
      samples.get(s.name)?.push(...mine);
      (roundTtft.get(s.name) as number[])[round] = median(mine.map((x) => x.ttft));
    }
  }
  for (const [name, list] of samples) {
    if (list.length === 0) continue;
    addLatency(result, name, "time to first token", summarize(list.map((x) => x.ttft)));
    addLatency(result, name, "whole stream", summarize(list.map((x) => x.total)));
    const rates = list.map((x) => (x.chunks / x.total) * 1000);
    result.measurements.push({
      subject: name,
      metric: `content chunks/s (median ${median(list.map((x) => x.chunks))} chunks)`,
      unit: "chunks/s",
      value: round(median(rates), 1),
      n: list.length,
    });
  }
  const r = (name: string): number[] => roundTtft.get(name) ?? [];
  const RAW = "raw undici SSE";
  addRatio(result, "stream.ttft_ours_over_raw", "stream TTFT ours / raw", pairedRatio(r(NAMES.ours), r(RAW)));
  addRatio(
    result,
    "stream.ttft_chatopenai_over_raw",
    "stream TTFT ChatOpenAI / raw",
    pairedRatio(r(NAMES.chatOpenAI), r(RAW)),
  );
  addRatio(
    result,
    "stream.ttft_peer_over_raw",
    "stream TTFT @databricks/langchainjs / raw",
    pairedRatio(r(NAMES.peer), r(RAW)),
  );
  const rate = (name: string): number => {
    const list = samples.get(name) ?? [];
    return median(list.map((x) => (x.chunks / x.total) * 1000));
  };
  addRatio(result, "stream.rate_ours_over_raw", "stream chunks/s ours / raw", rate(NAMES.ours) / rate(RAW));
  addRatio(
    result,
    "stream.rate_ours_over_chatopenai",
    "stream chunks/s ours / ChatOpenAI",
    rate(NAMES.ours) / rate(NAMES.chatOpenAI),
  );
  result.notes.push(
    "A chunk is one SSE event with non-empty delta content (one engine token on the emulator); TTFT counts from the call to the first such chunk.",
  );
  return result;
}

export const streamingSuite: Suite = {
  id: "streaming",
  title: "Streaming a long response",
  run: (ctx) => runStreaming(ctx, streamingOptions(ctx.config.quick)),
};
