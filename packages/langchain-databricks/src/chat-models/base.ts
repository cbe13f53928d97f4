import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type {
  BaseLanguageModelInput,
  StructuredOutputMethodOptions,
} from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BindToolsInput,
  type LangSmithParams,
} from "@langchain/core/language_models/chat_models";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { getEnvironmentVariable } from "@langchain/core/utils/env";
import type { SerializableSchema } from "@langchain/core/utils/standard_schema";
import type { ZodV3Like, ZodV4Like } from "@langchain/core/utils/types";
import { ConfigError } from "../errors.js";
import type { HttpRequest } from "../http/request.js";
import {
  ConcurrencyGate,
  type ModelHttpClient,
  maskSecretKwargs,
  modelClient,
} from "../model-support/plumbing.js";
import { RoutePolicy } from "../model-support/route-policy.js";
import { mergedGenerations, readResponse, reportToken } from "./chunks.js";
import { stripStrict, toWireMessages, toWireToolChoice, toWireTools } from "./converters/chat-completions.js";
import { buildStructuredOutput, type StructuredSchema } from "./structured-output.js";
import type {
  ChatDatabricksCallOptions,
  ChatDatabricksInput,
  ChatDatabricksQuirks,
  ChatRoute,
} from "./types.js";
import { combineTokenUsage } from "./usage.js";
import type { WireMessage, WireTool } from "./wire.js";

export type Json = Record<string, unknown>;
export type ParsedOptions = ChatDatabricksBase["ParsedCallOptions"];

/** Whether the call-time extraParams decide `key` (then the instance field must not override it). */
const callSets = (callExtra: Record<string, unknown> | undefined, key: string): boolean =>
  callExtra !== undefined && callExtra[key] !== undefined;

const isWireTool = (t: unknown): t is WireTool =>
  typeof t === "object" &&
  t !== null &&
  (t as WireTool).type === "function" &&
  typeof (t as WireTool).function === "object";

/** A stream opened up to its first event, with the protocol's way of turning events into chunks. */
export interface OpenedChatStream<E = unknown> {
  first: IteratorResult<E>;
  rest: AsyncIterator<E>;
  push(event: E): Iterable<ChatGenerationChunk>;
  finish(): Iterable<ChatGenerationChunk>;
}

/** One wire protocol (chat completions, Responses): how a call is sent and its answer read. */
export interface ChatProtocol {
  generate(messages: BaseMessage[], options: ParsedOptions): Promise<ChatResult>;
  openStream(
    messages: BaseMessage[],
    options: ParsedOptions,
    streamUsage: boolean,
  ): Promise<OpenedChatStream>;
}

/** What a protocol needs from the model: its settings and shared plumbing, nothing else. */
export interface ChatProtocolHost {
  readonly model: string;
  readonly quirks: ChatDatabricksQuirks;
  readonly streamUsage: boolean;
  readonly n?: number;
  readonly extraParams?: Record<string, unknown>;
  readonly httpClient: () => ModelHttpClient;
  readonly gate: ConcurrencyGate;
  readonly routes: RoutePolicy;
  invocationParams(options?: ParsedOptions): Json;
  wireMessages(messages: BaseMessage[]): WireMessage[];
  requestFor(options: ParsedOptions, path: string, body: Json): HttpRequest;
}

/**
 * What the chat models share whatever their wire protocol (as `@langchain/openai`'s base class): fields and
 * option precedence, LangChain identity and tracing, tools and structured output, the lazy HTTP client, the
 * concurrency gate, the route policy, and driving a stream. Subclasses pick the {@link ChatProtocol} of a call.
 */
export abstract class ChatDatabricksBase
  extends BaseChatModel<ChatDatabricksCallOptions, AIMessageChunk>
  implements ChatProtocolHost
{
  override lc_serializable = true;

  override get lc_secrets(): Record<string, string> {
    return {
      token: "DATABRICKS_TOKEN",
      apiKey: "DATABRICKS_TOKEN",
      clientSecret: "DATABRICKS_CLIENT_SECRET",
    };
  }

  override get lc_aliases(): Record<string, string> {
    return { apiKey: "databricks_token", token: "databricks_token" };
  }

  /** Only data fields are serialised: functions (`fetch`, `tokenProvider`) and clients cannot be. */
  override get lc_serializable_keys(): string[] {
    return [
      "model",
      "endpoint",
      "temperature",
      "maxTokens",
      "stop",
      "stopSequences",
      "n",
      "extraParams",
      "streamUsage",
      "streaming",
      "useResponsesApi",
      "route",
      "quirks",
      "timeout",
      "maxRetries",
      "host",
      "profile",
      "modelProfile",
      "authType",
      "clientId",
      "token",
      "apiKey",
      "clientSecret",
    ];
  }

  /** Serving endpoint name. */
  model: string;
  temperature?: number;
  maxTokens?: number;
  stop?: string[];
  n?: number;
  extraParams?: Record<string, unknown>;
  streamUsage = true;
  streaming = false;
  useResponsesApi = false;
  route: ChatRoute = "auto";
  quirks: ChatDatabricksQuirks;
  timeout?: number;
  /** Transport retries (the only retry layer; LangChain's own caller is built with `maxRetries: 0`). */
  maxRetries?: number;
  /** Workspace host when given explicitly (for identifying params and quirk memory); never a secret. */
  host?: string;

  /** The HTTP client: the injected one, or one built on first use. */
  readonly httpClient: () => ModelHttpClient;
  /** Only route calls through LangChain's queue when a finite `maxConcurrency` asks for it (it costs a hop). */
  readonly gate: ConcurrencyGate;
  /** Route fallback to `/invocations`, and what the client has learnt about the endpoint. */
  readonly routes: RoutePolicy;

  /** The wire protocol of a call. */
  protected abstract protocol(): ChatProtocol;

  constructor(fields: ChatDatabricksInput) {
    // Retries live in the transport only; LangChain's AsyncCaller keeps concurrency limiting but never retries.
    super({ ...fields, maxRetries: 0 });
    this._addVersion("langchain-databricks", __PKG_VERSION__);
    const model = fields.model ?? fields.endpoint ?? getEnvironmentVariable("DATABRICKS_CHAT_ENDPOINT");
    if (!model) {
      throw new ConfigError(
        'ChatDatabricks needs a serving endpoint name: pass { model: "<endpoint>" } (alias "endpoint") ' +
          "or set DATABRICKS_CHAT_ENDPOINT.",
      );
    }
    this.model = model;
    this.temperature = fields.temperature;
    this.maxTokens = fields.maxTokens === -1 ? undefined : fields.maxTokens;
    const stop = fields.stop ?? fields.stopSequences;
    this.stop = stop && stop.length > 0 ? stop : undefined;
    this.n = fields.n;
    this.extraParams = fields.extraParams;
    this.streamUsage = fields.streamUsage ?? !fields.disableStreaming;
    this.streaming = fields.streaming ?? false;
    if (fields.streaming === false) this.disableStreaming = true;
    this.useResponsesApi = fields.useResponsesApi ?? false;
    this.route = fields.route ?? "auto";
    this.quirks = { ...fields.quirks };
    this.timeout = fields.timeout;
    this.maxRetries = fields.maxRetries;
    this.host = fields.host;
    this.httpClient = modelClient(fields);
    maskSecretKwargs(this.lc_kwargs);
    this.gate = new ConcurrencyGate(this.caller, fields.maxConcurrency);
    this.routes = new RoutePolicy(this.httpClient, this.model, this.route);
  }

  _llmType(): string {
    return "chat-databricks";
  }

  override get callKeys(): string[] {
    return [
      ...super.callKeys,
      "tools",
      "tool_choice",
      "stop",
      "temperature",
      "maxTokens",
      "n",
      "extraParams",
      "response_format",
      "parallel_tool_calls",
      "streamUsage",
      "stream_options",
      "customInputs",
      "headers",
      "strict",
    ];
  }

  /** Exactly the six LangSmith keys (core appends `ls_integration` itself). */
  override getLsParams(options: ParsedOptions): LangSmithParams {
    return {
      ls_provider: "databricks",
      ls_model_name: this.model,
      ls_model_type: "chat",
      ls_temperature: options.temperature ?? this.temperature,
      ls_max_tokens: options.maxTokens ?? this.maxTokens,
      ls_stop: options.stop ?? this.stop,
    };
  }

  /** Sums token usage over the prompts of one `generate()` call (core leaves `llmOutput` undefined otherwise). */
  override _combineLLMOutput(...outputs: Array<Record<string, unknown> | undefined>): Json {
    return combineTokenUsage(outputs);
  }

  /** Cache-key and tracing identity: endpoint plus generation settings, never credentials. */
  override _identifyingParams(): Json {
    return {
      model_name: this.model,
      host: this.host,
      temperature: this.temperature,
      max_tokens: this.maxTokens,
      stop: this.stop,
      n: this.n,
      extra_params: this.extraParams,
      use_responses_api: this.useResponsesApi,
    };
  }

  /** The request body fields other than the conversation (what tracing shows as invocation params). */
  override invocationParams(options?: ParsedOptions): Json {
    const o = options ?? ({} as ParsedOptions);
    // Per field: call option > call-time extraParams > instance field > instance extraParams. The merged
    // extraParams already put call-time values over instance ones; a named field then fills in only where the
    // call did not decide. One object, no per-field allocation (invoke is a benchmarked hot path).
    const callExtra = o.extraParams;
    const instanceExtra = this.extraParams;
    // No extraParams anywhere (the common case): a plain literal, not a spread of undefined (which V8 builds
    // far more slowly), and no closure.
    const body: Json =
      instanceExtra === undefined
        ? callExtra === undefined
          ? {}
          : { ...callExtra }
        : callExtra === undefined
          ? { ...instanceExtra }
          : Object.assign({ ...instanceExtra }, callExtra);
    if (o.temperature !== undefined) body.temperature = o.temperature;
    else if (this.temperature !== undefined && !callSets(callExtra, "temperature"))
      body.temperature = this.temperature;
    if (o.maxTokens !== undefined) {
      if (o.maxTokens !== -1) body.max_tokens = o.maxTokens;
    } else if (this.maxTokens !== undefined && !callSets(callExtra, "max_tokens"))
      body.max_tokens = this.maxTokens;
    if (o.stop !== undefined) {
      if (o.stop.length > 0) body.stop = o.stop;
    } else if (this.stop !== undefined && !callSets(callExtra, "stop")) body.stop = this.stop;
    if (o.n !== undefined) {
      if (o.n !== 1) body.n = o.n;
      else if (body.n !== undefined) body.n = 1;
    } else if (this.n !== undefined && this.n !== 1 && !callSets(callExtra, "n")) body.n = this.n;
    const tools = this.formatTools(o);
    if (tools) {
      body.tools = tools;
      const choice = toWireToolChoice(o.tool_choice, tools);
      if (choice !== undefined) body.tool_choice = choice;
    }
    if (o.parallel_tool_calls !== undefined) body.parallel_tool_calls = o.parallel_tool_calls;
    if (o.response_format) body.response_format = o.response_format;
    if (o.customInputs) body.custom_inputs = o.customInputs;
    return body;
  }

  /** Per-call headers may carry credentials (e.g. an on-behalf-of token): tracing sees only their names. */
  protected override _getCallOptionsForTracing(
    options: ParsedOptions,
    invocationParams: Json,
  ): ParsedOptions {
    const traced = super._getCallOptionsForTracing(options, invocationParams as never);
    if (!traced.headers) return traced;
    const headers = Object.fromEntries(Object.keys(traced.headers).map((k) => [k, "[REDACTED]"]));
    return { ...traced, headers };
  }

  /** True when the endpoint accepts OpenAI `strict` on tools and json_schema (GPT models). */
  supportsStrict(): boolean {
    return this.quirks.stripToolStrict === undefined ? /gpt/i.test(this.model) : !this.quirks.stripToolStrict;
  }

  private formatTools(o: ParsedOptions): WireTool[] | undefined {
    if (!o.tools || o.tools.length === 0) return undefined;
    const tools = o.tools.map((t) => (isWireTool(t) ? t : toWireTools([t], o.strict)[0]));
    const withStrict =
      o.strict === undefined
        ? tools
        : tools.map((t) => (t.function ? { ...t, function: { ...t.function, strict: o.strict } } : t));
    return this.supportsStrict() ? withStrict : stripStrict(withStrict);
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<ChatDatabricksCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ChatDatabricksCallOptions> {
    const wire = tools.map((t) => (isWireTool(t) ? t : toWireTools([t], kwargs?.strict)[0]));
    // Validate tool_choice now, so a typo fails at bind time rather than on the first call.
    toWireToolChoice(kwargs?.tool_choice, wire);
    return this.withConfig({ ...kwargs, tools: wire });
  }

  // The overloads mirror BaseChatModel's exactly (including its `any`), which TypeScript requires of an override.
  // biome-ignore-start lint/suspicious/noExplicitAny: signature inherited from @langchain/core
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: SerializableSchema<RunOutput>,
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: SerializableSchema<RunOutput>,
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: ZodV4Like<RunOutput> | Record<string, any>,
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: ZodV4Like<RunOutput> | Record<string, any>,
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: ZodV3Like<RunOutput> | Record<string, any>,
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: ZodV3Like<RunOutput> | Record<string, any>,
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;
  override withStructuredOutput<RunOutput extends Record<string, any> = Record<string, any>>(
    outputSchema: unknown,
    config?: StructuredOutputMethodOptions<boolean>,
  ):
    | Runnable<BaseLanguageModelInput, RunOutput>
    | Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }> {
    return buildStructuredOutput<RunOutput>(this, outputSchema as StructuredSchema<RunOutput>, config);
  }
  // biome-ignore-end lint/suspicious/noExplicitAny: signature inherited from @langchain/core

  // ---------------------------------------------------------------- request building

  /** The conversation in chat-completions wire form (both protocols start from it). */
  wireMessages(messages: BaseMessage[]): WireMessage[] {
    const claude = /claude/i.test(this.model);
    return toWireMessages(messages, {
      spaceForEmptyToolCallContent: this.quirks.spaceForEmptyToolCallContent ?? claude,
    });
  }

  /** A POST of `body` to `path` with the call's signal and headers and the model's timeout and retries. */
  requestFor(o: ParsedOptions, path: string, body: Json): HttpRequest {
    const req: HttpRequest = { method: "POST", path, body, signal: o.signal, endpoint: this.model };
    if (o.headers) req.headers = o.headers;
    if (this.timeout !== undefined) req.timeout = this.timeout;
    if (this.maxRetries !== undefined) req.maxRetries = this.maxRetries;
    return req;
  }

  // ---------------------------------------------------------------- generation

  async _generate(
    messages: BaseMessage[],
    options: ParsedOptions,
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    if (this.streaming) return this.generateByStreaming(messages, options, runManager);
    return this.protocol().generate(messages, options);
  }

  private async generateByStreaming(
    messages: BaseMessage[],
    options: ParsedOptions,
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    // With n > 1 every chunk names its choice (`generationInfo.index`): one generation per choice.
    const byChoice = new Map<number, ChatGenerationChunk>();
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) {
      const index = typeof chunk.generationInfo?.index === "number" ? chunk.generationInfo.index : 0;
      const merged = byChoice.get(index);
      byChoice.set(index, merged ? merged.concat(chunk) : chunk);
    }
    return mergedGenerations(byChoice);
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: ParsedOptions,
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    options.signal?.throwIfAborted();
    const streamUsage = options.streamUsage ?? this.streamUsage;
    const opened = await this.protocol().openStream(messages, options, streamUsage);
    yield* this.pump(opened, options.signal, runManager);
  }

  /**
   * Drives one open stream: each event becomes zero or more chunks, yielded and then reported to the callbacks;
   * the assembler's closing chunks (usage, finish reason) come last. Stops the HTTP stream when the consumer
   * breaks early or the signal fires.
   */
  private async *pump<E>(
    assembler: OpenedChatStream<E>,
    signal: AbortSignal | undefined,
    runManager: CallbackManagerForLLMRun | undefined,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { rest } = assembler;
    let next = assembler.first;
    try {
      while (!next.done) {
        if (signal?.aborted) break;
        const event = next.value;
        for (const chunk of readResponse(this.model, () => assembler.push(event))) {
          yield chunk;
          await reportToken(runManager, chunk, chunk.text);
        }
        next = await rest.next();
      }
    } finally {
      if (!next.done) await rest.return?.(undefined);
    }
    signal?.throwIfAborted();
    for (const chunk of readResponse(this.model, () => assembler.finish())) {
      yield chunk;
      await reportToken(runManager, chunk, "");
    }
  }
}
