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
import type { ModelProfile } from "@langchain/core/language_models/profile";
import { AIMessage, type AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { getEnvironmentVariable } from "@langchain/core/utils/env";
import type { SerializableSchema } from "@langchain/core/utils/standard_schema";
import type { ZodV3Like, ZodV4Like } from "@langchain/core/utils/types";
import { DatabricksConfigError, DatabricksError, isDatabricksError } from "../errors.js";
import { endpointQuirks, isRouteRejection, isStreamOptionsRejection } from "../utils/rejections.js";
import {
  type DatabricksTransport,
  type HttpRequest,
  invocationsPath,
  lazyTransport,
  maskSecretKwargs,
  pickAuthOptions,
} from "../utils/transport.js";
import { toWireMessages } from "./messages.js";
import { keepConfigProfile, profileForEndpoint } from "./profiles.js";
import { generationText, parseChatResponse } from "./response.js";
import { toResponsesInput, toResponsesToolChoice, toResponsesTools } from "./responses_input.js";
import { parseResponsesObject, type ResponsesObject, ResponsesStreamAssembler } from "./responses_output.js";
import { ChatStreamAssembler, MultiChoiceStreamAssembler } from "./stream.js";
import { buildStructuredOutput, type StructuredSchema } from "./structured_output.js";
import { stripStrict, toWireToolChoice, toWireTools } from "./tools.js";
import type {
  ChatDatabricksCallOptions,
  ChatDatabricksInput,
  ChatDatabricksQuirks,
  ChatRoute,
} from "./types.js";
import { combineTokenUsage } from "./usage.js";
import type { WireChatResponse, WireTool } from "./wire.js";

type Json = Record<string, unknown>;
type ParsedOptions = ChatDatabricks["ParsedCallOptions"];

/** Runs a response parser; a body of an unexpected shape becomes a typed error naming the endpoint, never a TypeError. */
function readResponse<T>(endpoint: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (isDatabricksError(e)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new DatabricksError(
      `Endpoint "${endpoint}" returned a response of an unexpected shape (${why}). Check that it is a chat endpoint, ` +
        "or set `route` / `useResponsesApi` to match what it serves.",
      { endpoint, cause: e },
    );
  }
}

const NONE: readonly ChatGenerationChunk[] = [];

function once(chunk: ChatGenerationChunk | undefined): readonly ChatGenerationChunk[] {
  return chunk ? [chunk] : NONE;
}

/** Streams report each chunk to the callbacks, with the choice it belongs to (`n > 1`) as the completion index. */
function reportToken(
  runManager: CallbackManagerForLLMRun | undefined,
  chunk: ChatGenerationChunk,
  token: string,
): Promise<void> | undefined {
  const completion = (chunk.generationInfo?.index as number | undefined) ?? 0;
  return runManager?.handleLLMNewToken(token, { prompt: 0, completion }, undefined, undefined, undefined, {
    chunk,
  });
}

/**
 * Chat-completions `response_format` -> Responses `text.format`, which is flat: `{type: "json_schema", name,
 * schema, strict?, description?}`; `json_object` and `text` carry only their type.
 */
function toResponsesTextFormat(rf: Json): Json {
  if (rf.type !== "json_schema") return { type: rf.type };
  const js = (typeof rf.json_schema === "object" && rf.json_schema !== null ? rf.json_schema : {}) as Json;
  const format: Json = { type: "json_schema", name: js.name ?? "extract", schema: js.schema };
  if (js.description !== undefined) format.description = js.description;
  if (js.strict !== undefined) format.strict = js.strict;
  return format;
}

/** A terminal Responses stream event (`response.failed` / `error` are raised as errors by the decoder). */
function isResponsesFinalEvent(payload: unknown): boolean {
  if (typeof payload !== "object" || payload === null) return false;
  const p = payload as { type?: unknown; output?: unknown };
  if (p.type === "response.completed" || p.type === "response.incomplete") return true;
  // A whole Responses object sent back to a stream request is complete by itself.
  return p.type === undefined && Array.isArray(p.output);
}

const isWireTool = (t: unknown): t is WireTool =>
  typeof t === "object" &&
  t !== null &&
  (t as WireTool).type === "function" &&
  typeof (t as WireTool).function === "object";

/**
 * LangChain chat model for Databricks Model Serving: foundation models, external models, custom chat models,
 * and ChatAgent/ResponsesAgent endpoints.
 *
 * Setup: `npm install langchain-databricks @langchain/core`, then set `DATABRICKS_HOST` and
 * `DATABRICKS_TOKEN` (or any Databricks unified-auth method: profile, OAuth M2M, CLI).
 *
 * Runtime options (`tools`, `tool_choice`, `stop`, `temperature`, `customInputs`, ...) can be passed per call,
 * bound with `.withConfig(...)`, or given as the second argument of `.bindTools(...)`.
 *
 * @example
 * ```ts
 * const chat = new ChatDatabricks({ model: "databricks-meta-llama-3-3-70b-instruct", maxTokens: 256 });
 * const reply = await chat.invoke("Hello!");
 * for await (const chunk of await chat.stream("Tell me a story")) process.stdout.write(chunk.text);
 * const withTools = chat.bindTools([myTool], { tool_choice: "any" });
 * const Person = z.object({ name: z.string(), age: z.number() });
 * const person = await chat.withStructuredOutput(Person).invoke("Alice is 30");
 * ```
 */
export class ChatDatabricks extends BaseChatModel<ChatDatabricksCallOptions, AIMessageChunk> {
  static override lc_name() {
    return "ChatDatabricks";
  }

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
  /** Overrides merged over the endpoint family's LangChain model profile (see `profiles.ts`). */
  modelProfile?: ModelProfile;
  /** Workspace host when given explicitly (for identifying params and quirk memory); never a secret. */
  host?: string;

  private readonly transport: () => DatabricksTransport;
  /** Only route calls through LangChain's queue when a finite `maxConcurrency` asks for it (it costs a hop). */
  private readonly limitConcurrency: boolean;

  constructor(model: string, fields?: Omit<ChatDatabricksInput, "model">);
  constructor(fields: ChatDatabricksInput);
  constructor(modelOrFields: string | ChatDatabricksInput, maybeFields?: Omit<ChatDatabricksInput, "model">) {
    const fields: ChatDatabricksInput =
      typeof modelOrFields === "string" ? { ...maybeFields, model: modelOrFields } : { ...modelOrFields };
    // Retries live in the transport only; LangChain's AsyncCaller keeps concurrency limiting but never retries.
    super({ ...fields, maxRetries: 0 });
    this._addVersion("langchain-databricks", __PKG_VERSION__);
    const model = fields.model ?? fields.endpoint ?? getEnvironmentVariable("DATABRICKS_CHAT_ENDPOINT");
    if (!model) {
      throw new DatabricksConfigError(
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
    this.modelProfile = fields.modelProfile;
    this.transport = lazyTransport(fields.client, pickAuthOptions(fields));
    maskSecretKwargs(this.lc_kwargs);
    this.limitConcurrency = fields.maxConcurrency !== undefined && Number.isFinite(fields.maxConcurrency);
  }

  /** Runs one HTTP exchange, inside the concurrency queue when one is configured (never retried there). */
  private limited<T>(fn: () => Promise<T>): Promise<T> {
    return this.limitConcurrency ? this.caller.call(fn) : fn();
  }

  /** LangChain model profile for this endpoint's model family; `createAgent` reads `structuredOutput`. */
  override get profile(): ModelProfile {
    return profileForEndpoint(this.model, this.modelProfile);
  }

  override toJSON() {
    return keepConfigProfile(super.toJSON(), this.lc_kwargs);
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
    const body: Json =
      this.extraParams === undefined
        ? { ...callExtra }
        : callExtra === undefined
          ? { ...this.extraParams }
          : Object.assign({ ...this.extraParams }, callExtra);
    const callSets = (key: string) => callExtra?.[key] !== undefined;
    if (o.temperature !== undefined) body.temperature = o.temperature;
    else if (this.temperature !== undefined && !callSets("temperature")) body.temperature = this.temperature;
    if (o.maxTokens !== undefined) {
      if (o.maxTokens !== -1) body.max_tokens = o.maxTokens;
    } else if (this.maxTokens !== undefined && !callSets("max_tokens")) body.max_tokens = this.maxTokens;
    if (o.stop !== undefined) {
      if (o.stop.length > 0) body.stop = o.stop;
    } else if (this.stop !== undefined && !callSets("stop")) body.stop = this.stop;
    if (o.n !== undefined) {
      if (o.n !== 1) body.n = o.n;
      else if (body.n !== undefined) body.n = 1;
    } else if (this.n !== undefined && this.n !== 1 && !callSets("n")) body.n = this.n;
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

  private messageBody(messages: BaseMessage[]) {
    const claude = /claude/i.test(this.model);
    return toWireMessages(messages, {
      spaceForEmptyToolCallContent: this.quirks.spaceForEmptyToolCallContent ?? claude,
    });
  }

  private requestBase(o: ParsedOptions, path: string, body: Json): HttpRequest {
    const req: HttpRequest = { method: "POST", path, body, signal: o.signal, endpoint: this.model };
    if (o.headers) req.headers = o.headers;
    if (this.timeout !== undefined) req.timeout = this.timeout;
    if (this.maxRetries !== undefined) req.maxRetries = this.maxRetries;
    return req;
  }

  private learnt() {
    return endpointQuirks(this.model, this.host);
  }

  private useInvocations(): boolean {
    return this.route === "invocations" || (this.route === "auto" && this.learnt().invocationsOnly === true);
  }

  private chatRequest(
    messages: BaseMessage[],
    o: ParsedOptions,
    stream: boolean,
    viaInvocations = this.useInvocations(),
  ): HttpRequest {
    // invocationParams returns a fresh object: fill it in place (invoke is a benchmarked hot path).
    const body = this.invocationParams(o);
    body.messages = this.messageBody(messages);
    if (stream) {
      body.stream = true;
      const wantUsage = o.streamUsage ?? this.streamUsage;
      if (o.stream_options) body.stream_options = o.stream_options;
      else if (wantUsage && !this.learnt().noStreamOptions) body.stream_options = { include_usage: true };
    }
    // `model` written last: extraParams must not redirect the call to another endpoint.
    if (!viaInvocations) body.model = this.model;
    const req = viaInvocations
      ? this.requestBase(o, invocationsPath(this.model), body)
      : this.requestBase(o, "/serving-endpoints/chat/completions", body);
    // Databricks SSE streams (chat/completions and /invocations) always end with `data: [DONE]` (wire-spec 3.5):
    // without it the answer was cut short, and must not pass for a complete one.
    if (stream) req.expectDone = true;
    return req;
  }

  private responsesRequest(messages: BaseMessage[], o: ParsedOptions, stream: boolean): HttpRequest {
    const shorten = this.quirks.shortenResponsesIds ?? true;
    const params = this.invocationParams(o);
    // The Responses API has no stop/n and names the token limit differently.
    const { stop, n, max_tokens, tools, tool_choice, response_format, ...rest } = params;
    // Python silently drops these on the Responses API; failing loudly is kinder than ignoring a setting.
    if (stop !== undefined || n !== undefined) {
      throw new DatabricksConfigError(
        `The Responses API does not support ${stop !== undefined ? "stop sequences" : "n > 1"}; ` +
          "remove that setting or set useResponsesApi: false.",
      );
    }
    const input = toResponsesInput(this.messageBody(messages), shorten);
    const body: Json = { ...rest, model: this.model, input };
    if (max_tokens !== undefined) body.max_output_tokens = max_tokens;
    if (Array.isArray(tools)) body.tools = toResponsesTools(tools as WireTool[]);
    if (tool_choice !== undefined) body.tool_choice = toResponsesToolChoice(tool_choice);
    // Structured output: the Responses API takes `text.format`, never the chat-completions `response_format`.
    if (response_format !== undefined) {
      const text = typeof rest.text === "object" && rest.text !== null ? (rest.text as Json) : {};
      body.text = { ...text, format: toResponsesTextFormat(response_format as Json) };
    }
    if (stream) body.stream = true;
    const req = this.requestBase(o, "/serving-endpoints/responses", body);
    if (stream) {
      // Responses streams end with a terminal `response.completed` / `response.incomplete` event (OpenAI) or with
      // `[DONE]` (Databricks agents); ending with neither means the answer was truncated.
      req.expectDone = true;
      req.isFinalEvent = isResponsesFinalEvent;
    }
    return req;
  }

  /**
   * Sends a non-streaming chat request, falling back to `/invocations` once if the OpenAI route is refused. The
   * switch is remembered for the endpoint only once `/invocations` has answered.
   */
  private async sendChat(messages: BaseMessage[], o: ParsedOptions): Promise<WireChatResponse> {
    const req = this.chatRequest(messages, o, false);
    try {
      return await this.limited(() => this.transport().request<WireChatResponse>(req));
    } catch (e) {
      if (!this.shouldFallBack(e)) throw e;
      const retry = this.chatRequest(messages, o, false, true);
      const resp = await this.limited(() => this.transport().request<WireChatResponse>(retry));
      this.learnt().invocationsOnly = true;
      return resp;
    }
  }

  private shouldFallBack(e: unknown, onInvocations = this.useInvocations()): boolean {
    return this.route === "auto" && !onInvocations && isRouteRejection(e);
  }

  /**
   * Opens a chat stream and pulls the first event, which is where HTTP errors surface. Route and
   * `stream_options` rejections are learnt and retried once each; nothing has been yielded yet, so this is safe.
   */
  private async openChatStream(
    messages: BaseMessage[],
    o: ParsedOptions,
  ): Promise<{ first: IteratorResult<WireChatResponse>; rest: AsyncGenerator<WireChatResponse> }> {
    let viaInvocations = this.useInvocations();
    for (let attempt = 0; attempt < 3; attempt++) {
      const it = this.transport().stream<WireChatResponse>(
        this.chatRequest(messages, o, true, viaInvocations),
      );
      try {
        const first = await this.limited(() => it.next());
        // The fallback worked: remember it for the endpoint.
        if (viaInvocations && !this.useInvocations()) this.learnt().invocationsOnly = true;
        return { first, rest: it };
      } catch (e) {
        if (
          attempt < 2 &&
          !o.stream_options &&
          isStreamOptionsRejection(e) &&
          !this.learnt().noStreamOptions
        ) {
          this.learnt().noStreamOptions = true;
          continue;
        }
        if (attempt < 2 && this.shouldFallBack(e, viaInvocations)) {
          viaInvocations = true;
          continue;
        }
        throw e;
      }
    }
    throw new DatabricksConfigError(`Could not open a stream to endpoint "${this.model}".`);
  }

  // ---------------------------------------------------------------- generation

  async _generate(
    messages: BaseMessage[],
    options: ParsedOptions,
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    if (this.streaming) return this.generateByStreaming(messages, options, runManager);
    if (this.useResponsesApi) {
      const req = this.responsesRequest(messages, options, false);
      // Inside the concurrency queue like every other exchange (`maxConcurrency` applies here too).
      const resp = await this.limited(() => this.transport().request<ResponsesObject>(req));
      return readResponse(this.model, () =>
        parseResponsesObject(resp, this.model, this.quirks.shortenResponsesIds ?? true),
      );
    }
    const resp = await this.sendChat(messages, options);
    const result = readResponse(this.model, () => parseChatResponse(resp, this.model));
    if (result.generations.length === 0) {
      throw new DatabricksError(
        `Endpoint "${this.model}" returned no choices (expected "choices" or ChatAgent "messages" in the response).`,
        { endpoint: this.model },
      );
    }
    return result;
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
    if (byChoice.size === 0) return { generations: [] };
    const generations = [...byChoice.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, merged]) => {
        const m = merged.message as AIMessageChunk;
        // Standard tests (and users) expect an AIMessage from invoke, not a chunk.
        const message = new AIMessage({
          content: m.content,
          tool_calls: m.tool_calls,
          invalid_tool_calls: m.invalid_tool_calls,
          additional_kwargs: m.additional_kwargs,
          usage_metadata: m.usage_metadata,
          response_metadata: m.response_metadata,
          id: m.id,
        });
        return { text: generationText(message), message, generationInfo: merged.generationInfo };
      });
    return { generations };
  }

  /** Choices asked for, by the same precedence as the request body. */
  private requestedChoices(o: ParsedOptions): number {
    const n = o.n ?? o.extraParams?.n ?? this.n ?? this.extraParams?.n;
    return typeof n === "number" ? n : 1;
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: ParsedOptions,
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    options.signal?.throwIfAborted();
    const streamUsage = options.streamUsage ?? this.streamUsage;
    if (this.useResponsesApi) {
      yield* this.streamResponses(messages, options, streamUsage, runManager);
      return;
    }
    if (this.requestedChoices(options) > 1) {
      yield* this.streamChoices(messages, options, streamUsage, runManager);
      return;
    }
    const assembler = new ChatStreamAssembler(this.model, streamUsage);
    const { first, rest } = await this.openChatStream(messages, options);
    yield* this.pump(first, rest, options.signal, runManager, {
      push: (event) => once(assembler.push(event)),
      finish: () => [assembler.finish()],
    });
  }

  /** `n > 1`: every choice is streamed, each chunk tagged with its choice index (see MultiChoiceStreamAssembler). */
  private async *streamChoices(
    messages: BaseMessage[],
    options: ParsedOptions,
    streamUsage: boolean,
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const assembler = new MultiChoiceStreamAssembler(this.model, streamUsage);
    const { first, rest } = await this.openChatStream(messages, options);
    yield* this.pump(first, rest, options.signal, runManager, {
      push: (event) => assembler.push(event),
      finish: () => assembler.finish(),
    });
  }

  private async *streamResponses(
    messages: BaseMessage[],
    options: ParsedOptions,
    streamUsage: boolean,
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const assembler = new ResponsesStreamAssembler(
      this.model,
      streamUsage,
      this.quirks.shortenResponsesIds ?? true,
    );
    const events = this.transport().stream<Json>(this.responsesRequest(messages, options, true));
    let hadToolCalls = false;
    // Opening the stream (up to its first event) counts against `maxConcurrency`, as for chat streams.
    const first = await this.limited(() => events.next());
    yield* this.pump(first, events, options.signal, runManager, {
      push: (event) => {
        const chunk = assembler.push(event);
        if ((chunk?.message as AIMessageChunk | undefined)?.tool_call_chunks?.length) hadToolCalls = true;
        return once(chunk);
      },
      finish: () => [assembler.finish(hadToolCalls)],
    });
  }

  /**
   * Drives one open stream: each event becomes zero or more chunks, yielded and then reported to the callbacks;
   * the assembler's closing chunks (usage, finish reason) come last. Stops the HTTP stream when the consumer
   * breaks early or the signal fires.
   */
  private async *pump<E>(
    first: IteratorResult<E>,
    rest: AsyncIterator<E>,
    signal: AbortSignal | undefined,
    runManager: CallbackManagerForLLMRun | undefined,
    assembler: { push(event: E): Iterable<ChatGenerationChunk>; finish(): Iterable<ChatGenerationChunk> },
  ): AsyncGenerator<ChatGenerationChunk> {
    let next = first;
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
