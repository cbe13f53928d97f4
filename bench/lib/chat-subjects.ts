// The chat-invoke subjects compared by the latency and concurrency suites, all pointed at the same target with the
// same prompt and max_tokens. Each factory returns a Subject or the reason it cannot run yet.

import { Agent, request as httpRequest } from "node:http";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { request } from "undici";
import { type ChatLike, type Ctor, type Loaded, ourExport, packageExport } from "./load.js";
import type { Subject } from "./measure.js";
import type { Target } from "./types.js";

export const PROMPT = "Say hello.";
export const MAX_TOKENS = 16;

export const NAMES = {
  raw: "raw undici.request",
  rawInvocations: "raw undici.request (/invocations)",
  floor: "LangChain floor",
  fetch: "raw fetch",
  node: "raw node:http",
  ours: "ChatDatabricks (ours)",
  query: "ServingEndpointsClient.query (ours)",
  chatOpenAI: "ChatOpenAI",
  peer: "@databricks/langchainjs",
} as const;

export type Made = { ok: true; subject: Subject } | { ok: false; name: string; reason: string };

function chatBody(target: Target, content: string = PROMPT): string {
  return JSON.stringify({
    model: target.chatEndpoint,
    messages: [{ role: "user", content }],
    max_tokens: MAX_TOKENS,
  });
}

function headers(target: Target): Record<string, string> {
  return { authorization: `Bearer ${target.token}`, "content-type": "application/json" };
}

interface ChatCompletion {
  choices?: { message?: { content?: unknown } }[];
}

function contentOf(json: unknown, who: string): string {
  const content = (json as ChatCompletion).choices?.[0]?.message?.content;
  if (typeof content !== "string") throw new Error(`${who}: response has no choices[0].message.content`);
  return content;
}

/** One raw undici round trip: serialise, send, read and parse the JSON body. The network limit. */
export async function rawUndiciChat(target: Target, body: string): Promise<string> {
  const res = await request(`${target.url}/serving-endpoints/chat/completions`, {
    method: "POST",
    headers: headers(target),
    body,
  });
  const json: unknown = await res.body.json();
  if (res.statusCode !== 200) throw new Error(`raw undici: HTTP ${res.statusCode} ${JSON.stringify(json)}`);
  return contentOf(json, "raw undici");
}

export function makeRawUndici(target: Target): Made {
  return { ok: true, subject: { name: NAMES.raw, call: () => rawUndiciChat(target, chatBody(target)) } };
}

export function makeRawInvocations(target: Target): Made {
  const url = `${target.url}/serving-endpoints/${encodeURIComponent(target.chatEndpoint)}/invocations`;
  const call = async (): Promise<string> => {
    const body = JSON.stringify({ messages: [{ role: "user", content: PROMPT }], max_tokens: MAX_TOKENS });
    const res = await request(url, { method: "POST", headers: headers(target), body });
    const json: unknown = await res.body.json();
    if (res.statusCode !== 200)
      throw new Error(`raw invocations: HTTP ${res.statusCode} ${JSON.stringify(json)}`);
    return contentOf(json, "raw invocations");
  };
  return { ok: true, subject: { name: NAMES.rawInvocations, call } };
}

/**
 * One raw `node:http` round trip on a keep-alive agent: the platform HTTP client our Node transport is built on,
 * reported next to raw undici so the choice of transport stays a measured one.
 */
export function makeRawNodeHttp(target: Target): Made {
  const url = new URL(`${target.url}/serving-endpoints/chat/completions`);
  const agent = new Agent({ keepAlive: true });
  const call = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const body = chatBody(target);
      const req = httpRequest(
        {
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          agent,
          headers: { ...headers(target), "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            try {
              const json: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
              if (res.statusCode !== 200) throw new Error(`raw node:http: HTTP ${res.statusCode}`);
              resolve(contentOf(json, "raw node:http"));
            } catch (e) {
              reject(e);
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return { ok: true, subject: { name: NAMES.node, call, close: async () => agent.destroy() } };
}

export function makeRawFetch(target: Target): Made {
  const call = async (): Promise<string> => {
    const res = await fetch(`${target.url}/serving-endpoints/chat/completions`, {
      method: "POST",
      headers: headers(target),
      body: chatBody(target),
    });
    const json: unknown = await res.json();
    if (res.status !== 200) throw new Error(`raw fetch: HTTP ${res.status} ${JSON.stringify(json)}`);
    return contentOf(json, "raw fetch");
  };
  return { ok: true, subject: { name: NAMES.fetch, call } };
}

const ROLE: Record<string, string> = { human: "user", ai: "assistant", system: "system", tool: "tool" };

/**
 * The thinnest possible BaseChatModel: `_generate` is one raw undici.request. Its cost over raw undici is what
 * @langchain/core's invoke machinery (callbacks, run tree, message coercion) costs; no integration can go below it.
 */
export class FloorChatModel extends BaseChatModel {
  constructor(private readonly target: Target) {
    super({});
  }

  _llmType(): string {
    return "bench-floor";
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const body = JSON.stringify({
      model: this.target.chatEndpoint,
      messages: messages.map((m) => ({ role: ROLE[m.getType()] ?? "user", content: m.content })),
      max_tokens: MAX_TOKENS,
    });
    const text = await rawUndiciChat(this.target, body);
    return { generations: [{ text, message: new AIMessage(text) }] };
  }
}

export function makeFloor(target: Target): Made {
  const model = new FloorChatModel(target);
  return { ok: true, subject: { name: NAMES.floor, call: () => model.invoke(PROMPT) } };
}

function construct(loaded: Loaded<Ctor<ChatLike>>, fields: Record<string, unknown>): Loaded<ChatLike> {
  if (!loaded.ok) return loaded;
  try {
    return { ok: true, value: new loaded.value(fields) };
  } catch (err) {
    return { ok: false, reason: `constructor threw: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function invokeSubject(name: string, model: Loaded<ChatLike>): Made {
  if (!model.ok) return { ok: false, name, reason: model.reason };
  const m = model.value;
  return { ok: true, subject: { name, call: () => m.invoke(PROMPT) } };
}

/** Our ChatDatabricks with the options a user would pass; same max_tokens as everyone else. */
export async function ourChatModel(
  target: Target,
  extra: Record<string, unknown> = {},
): Promise<Loaded<ChatLike>> {
  const loaded = await ourExport<Ctor<ChatLike>>("ChatDatabricks");
  return construct(loaded, {
    model: target.chatEndpoint,
    host: target.url,
    token: target.token,
    maxTokens: MAX_TOKENS,
    ...extra,
  });
}

export async function chatOpenAIModel(
  target: Target,
  extra: Record<string, unknown> = {},
): Promise<Loaded<ChatLike>> {
  const loaded = await packageExport<Ctor<ChatLike>>("@langchain/openai", "ChatOpenAI");
  return construct(loaded, {
    model: target.chatEndpoint,
    apiKey: target.token,
    configuration: { baseURL: `${target.url}/serving-endpoints` },
    maxTokens: MAX_TOKENS,
    ...extra,
  });
}

export async function makeOurChat(target: Target): Promise<Made> {
  return invokeSubject(NAMES.ours, await ourChatModel(target));
}

export async function makeChatOpenAI(target: Target): Promise<Made> {
  return invokeSubject(NAMES.chatOpenAI, await chatOpenAIModel(target));
}

interface QueryClient {
  query(name: string, body: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
}

/** Bare `ServingEndpointsClient.query` on /invocations, compared with raw undici on the same route (issue 4). */
export async function makeQuery(target: Target): Promise<Made> {
  const loaded = await ourExport<Ctor<QueryClient>>("ServingEndpointsClient");
  if (!loaded.ok) return { ok: false, name: NAMES.query, reason: loaded.reason };
  const client = new loaded.value({ host: target.url, token: target.token });
  const call = async (): Promise<unknown> => {
    const json = await client.query(target.chatEndpoint, {
      messages: [{ role: "user", content: PROMPT }],
      max_tokens: MAX_TOKENS,
    });
    contentOf(json, NAMES.query);
    return json;
  };
  return { ok: true, subject: { name: NAMES.query, call } };
}

// @databricks/langchainjs 0.1.0 resolves its host through @databricks/sdk-experimental 0.15, which forces
// `https://<hostname>` (drops scheme and port), and captures `globalThis.fetch` while building its provider.
// As docs/emulator.md ("Official clients") describes, we give it a placeholder https host and, only while the provider is built, a global
// fetch that rewrites that origin to the target; the captured wrapper then carries all its model traffic.
const PEER_HOST = "https://bench-emulator.invalid";

function rewritingFetch(target: Target, original: typeof fetch): typeof fetch {
  return (input, init) => {
    if (typeof input === "string" || input instanceof URL) {
      const href = input.toString();
      if (href.startsWith(PEER_HOST)) return original(target.url + href.slice(PEER_HOST.length), init);
      return original(input, init);
    }
    if (input.url.startsWith(PEER_HOST)) {
      return original(new Request(target.url + input.url.slice(PEER_HOST.length), input), init);
    }
    return original(input, init);
  };
}

export async function peerChatModel(
  target: Target,
  extra: Record<string, unknown> = {},
): Promise<Loaded<ChatLike>> {
  const loaded = await packageExport<Ctor<ChatLike>>("@databricks/langchainjs", "ChatDatabricks");
  if (!loaded.ok) return loaded;
  const original = globalThis.fetch;
  globalThis.fetch = rewritingFetch(target, original);
  try {
    const model = new loaded.value({
      model: target.chatEndpoint,
      auth: { host: PEER_HOST, token: target.token, authType: "pat" },
      maxTokens: MAX_TOKENS,
      ...extra,
    });
    // The provider is built asynchronously; wait for it (private field) before restoring the global.
    await (model as unknown as { languageModel: Promise<unknown> }).languageModel;
    return { ok: true, value: model };
  } catch (err) {
    return { ok: false, reason: `setup failed: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    globalThis.fetch = original;
  }
}

export async function makePeerChat(target: Target): Promise<Made> {
  return invokeSubject(NAMES.peer, await peerChatModel(target));
}

/** All chat-invoke subjects, in report order; `only` limits which ones are even constructed. */
export async function makeChatSubjects(
  target: Target,
  opts: { includeQuery: boolean; only?: readonly string[] },
): Promise<Made[]> {
  const factories: [string, () => Made | Promise<Made>][] = [
    [NAMES.raw, () => makeRawUndici(target)],
    [NAMES.floor, () => makeFloor(target)],
    [NAMES.fetch, () => makeRawFetch(target)],
    [NAMES.node, () => makeRawNodeHttp(target)],
    [NAMES.ours, () => makeOurChat(target)],
    [NAMES.chatOpenAI, () => makeChatOpenAI(target)],
    [NAMES.peer, () => makePeerChat(target)],
  ];
  if (opts.includeQuery) {
    factories.push(
      [NAMES.rawInvocations, () => makeRawInvocations(target)],
      [NAMES.query, () => makeQuery(target)],
    );
  }
  const made: Made[] = [];
  for (const [name, make] of factories) {
    if (opts.only && !opts.only.includes(name)) continue;
    made.push(await make());
  }
  return made;
}
