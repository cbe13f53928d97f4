import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { LLM } from "@langchain/core/language_models/llms";
import { GenerationChunk } from "@langchain/core/outputs";
import { ConfigError } from "./errors.js";
import type { HttpRequest } from "./http/request.js";
import { abortError } from "./http/transport-errors.js";
import {
  asString,
  firstPrediction,
  LLM_TASKS,
  textFromCandidates,
  textFromChoices,
  textFromStreamChunk,
} from "./llms/parse.js";
import type { DatabricksLLMCallOptions, DatabricksLLMInput, DatabricksLLMRequest } from "./llms/types.js";
import { checkReserved, type LLMMode, resolveExtraParams, resolveMode } from "./llms/validate.js";
import {
  ConcurrencyGate,
  lazyClient,
  type ModelHttpClient,
  maskSecretKwargs,
  pickAuthOptions,
} from "./model-support/plumbing.js";
import { invocationsPath } from "./serving-urls.js";
import { raceAbort } from "./utils/abort.js";

export type { DatabricksLLMCallOptions, DatabricksLLMInput, DatabricksLLMRequest } from "./llms/types.js";

interface EndpointInfo {
  task?: string;
  /** External and foundation-model endpoints take the request as-is; custom models get `dataframe_records`. */
  custom: boolean;
}

type ConfigAware = ModelHttpClient & { resolveConfig?: () => Promise<{ clusterId?: string }> };

/**
 * Completion-style LLM over a Databricks serving endpoint or a cluster driver proxy app (the seed's two modes).
 *
 * - Serving endpoint: custom models get `{"dataframe_records": [request]}` and the first prediction back;
 *   chat endpoints get `messages` built from the prompt; completions endpoints get `prompt`.
 * - Driver proxy: POST `/driver-proxy-api/o/0/{clusterId}/{port}` with `{prompt, stop?, ...extraParams}`.
 *
 * Always returns a string. Only data fields are serialised: `transformInputFn`/`transformOutputFn` must be
 * supplied again after loading.
 *
 * @example
 * ```ts
 * const llm = new Databricks({ endpointName: "dolly" });
 * await llm.invoke("How are you?", { stop: ["."] });
 * const proxy = new Databricks({ clusterId: "0000-000000-xxxxxxxx", clusterDriverPort: 7777 });
 * await proxy.invoke("你好吗？");
 * ```
 */
export class Databricks extends LLM<DatabricksLLMCallOptions> {
  static override lc_name() {
    return "Databricks";
  }

  override lc_serializable = true;

  override get lc_secrets(): Record<string, string> {
    return {
      apiToken: "DATABRICKS_TOKEN",
      token: "DATABRICKS_TOKEN",
      clientSecret: "DATABRICKS_CLIENT_SECRET",
    };
  }

  override get lc_serializable_keys(): string[] {
    return [
      "endpointName",
      "clusterId",
      "clusterDriverPort",
      "host",
      "profile",
      "authType",
      "clientId",
      "apiToken",
      "token",
      "clientSecret",
      "extraParams",
      "modelKwargs",
      "temperature",
      "n",
      "maxTokens",
      "stop",
      "task",
      "streaming",
      "timeout",
      "maxRetries",
    ];
  }

  endpointName?: string;
  clusterId?: string;
  clusterDriverPort?: string;
  host?: string;
  extraParams: Record<string, unknown>;
  temperature: number;
  n: number;
  maxTokens?: number;
  stop?: string[];
  task?: string;
  streaming: boolean;
  timeout?: number;
  maxRetries?: number;
  transformInputFn?: DatabricksLLMInput["transformInputFn"];
  transformOutputFn?: DatabricksLLMInput["transformOutputFn"];

  private readonly mode: LLMMode;
  private readonly httpClient: () => ConfigAware;
  /** Only route calls through LangChain's queue when a finite `maxConcurrency` asks for it (it costs a hop). */
  private readonly gate: ConcurrencyGate;
  private endpointInfo?: Promise<EndpointInfo>;

  constructor(fields: DatabricksLLMInput) {
    super({ ...fields, maxRetries: 0 });
    this.mode = resolveMode(fields);
    this.extraParams = resolveExtraParams(fields);
    this.endpointName = fields.endpointName;
    this.clusterId = this.mode.kind === "proxy" ? this.mode.clusterId : undefined;
    this.clusterDriverPort = this.mode.kind === "proxy" ? String(this.mode.port) : undefined;
    this.host = fields.host;
    this.temperature = fields.temperature ?? 0;
    this.n = fields.n ?? 1;
    this.maxTokens = fields.maxTokens;
    this.stop = fields.stop;
    this.task = fields.task;
    this.streaming = fields.streaming ?? false;
    this.timeout = fields.timeout;
    this.maxRetries = fields.maxRetries;
    this.transformInputFn = fields.transformInputFn;
    this.transformOutputFn = fields.transformOutputFn;
    this.httpClient = lazyClient(
      fields.httpClient ?? fields.client,
      pickAuthOptions(fields),
    ) as () => ConfigAware;
    maskSecretKwargs(this.lc_kwargs);
    this.gate = new ConcurrencyGate(this.caller, fields.maxConcurrency);
  }

  _llmType(): string {
    return "databricks";
  }

  override get callKeys(): string[] {
    return [...super.callKeys, "extraParams"];
  }

  override _identifyingParams(): Record<string, unknown> {
    return {
      host: this.host,
      endpoint_name: this.endpointName,
      cluster_id: this.clusterId,
      cluster_driver_port: this.clusterDriverPort,
      temperature: this.temperature,
      n: this.n,
      stop: this.stop,
      max_tokens: this.maxTokens,
      extra_params: this.extraParams,
      task: this.task,
    };
  }

  /**
   * Reads the endpoint's task and type once (GET), unless `task` was given. The GET is shared by every caller, so
   * it runs without any caller's signal (one caller aborting must not fail the others); each caller races its own.
   */
  private info(signal?: AbortSignal): Promise<EndpointInfo> {
    if (this.task !== undefined) {
      // Without the endpoint type, the task decides: llm/v1/* are OpenAI-style endpoints, the rest custom models.
      return Promise.resolve({ task: this.task, custom: !this.task.startsWith("llm/v1/") });
    }
    const name = this.endpointName as string;
    if (!this.endpointInfo) {
      const lookup = this.httpClient()
        .request<{ task?: string; endpoint_type?: string }>({
          method: "GET",
          path: `/api/2.0/serving-endpoints/${encodeURIComponent(name)}`,
          endpoint: name,
          timeout: this.timeout,
          maxRetries: this.maxRetries,
        })
        .then((ep) => {
          const type = (ep.endpoint_type ?? "").toLowerCase();
          return { task: ep.task, custom: type !== "external_model" && type !== "foundation_model_api" };
        });
      this.endpointInfo = lookup;
      // A failed lookup (e.g. a transient 503) must not be cached forever.
      lookup.catch(() => {
        if (this.endpointInfo === lookup) this.endpointInfo = undefined;
      });
    }
    return raceAbort(this.endpointInfo, signal, (s) =>
      abortError(`GET /api/2.0/serving-endpoints/${name}`, s.reason),
    );
  }

  /** `{prompt, ...LLM params, ...extras, stop?}` then `transformInputFn`. */
  private async buildBody(
    prompt: string,
    options: this["ParsedCallOptions"],
    info: EndpointInfo | undefined,
  ) {
    const request: DatabricksLLMRequest = { prompt };
    const llmTask = info?.task !== undefined && LLM_TASKS.has(info.task);
    if (llmTask) {
      request.temperature = this.temperature;
      request.n = this.n;
      if (this.maxTokens !== undefined) request.max_tokens = this.maxTokens;
    }
    // Same rule as at construction: a call-time `prompt` would replace the real prompt, a `stop` bypass the option.
    checkReserved("extraParams (call option)", options.extraParams);
    Object.assign(request, this.extraParams, options.extraParams);
    // Call-time stop wins; an empty list is omitted (Anthropic-backed endpoints reject `"stop": null`).
    const stop = Array.isArray(options.stop) && options.stop.length > 0 ? options.stop : this.stop;
    if (stop && stop.length > 0) request.stop = stop;
    const transformed = this.transformInputFn ? await this.transformInputFn({ ...request }) : request;
    const body = withoutEmptyStop(transformed);
    // Chat endpoints take `messages`, never `prompt` (the seed's "unknown field prompt" bug).
    if (info?.task === "llm/v1/chat" && !info.custom && isPromptBody(body)) {
      const { prompt: text, ...rest } = body;
      return { ...rest, messages: [{ role: "user", content: text }] };
    }
    return body;
  }

  private async servingRequest(prompt: string, options: this["ParsedCallOptions"], stream: boolean) {
    const info = await this.info(options.signal);
    const body = await this.buildBody(prompt, options, info);
    const wrapped = info.custom
      ? { dataframe_records: [body] }
      : stream
        ? { ...(body as object), stream: true }
        : body;
    const req: HttpRequest = {
      method: "POST",
      path: invocationsPath(this.endpointName as string),
      body: wrapped,
      endpoint: this.endpointName,
      signal: options.signal,
      timeout: this.timeout,
      maxRetries: this.maxRetries,
    };
    // Serving SSE streams always end with `data: [DONE]` (spec/chat-completions.md): without it the text was cut short.
    if (stream) req.expectDone = true;
    return { info, req };
  }

  private async proxyPath(): Promise<string> {
    if (this.mode.kind !== "proxy") throw new ConfigError("Not in driver-proxy mode.");
    const clusterId = this.mode.clusterId ?? (await this.httpClient().resolveConfig?.())?.clusterId;
    if (!clusterId) {
      throw new ConfigError(
        "clusterId was not set and cannot be determined automatically: pass { clusterId } or set " +
          "DATABRICKS_CLUSTER_ID (or cluster_id in your Databricks profile).",
      );
    }
    return `/driver-proxy-api/o/0/${encodeURIComponent(clusterId)}/${this.mode.port}`;
  }

  async _call(
    prompt: string,
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<string> {
    options.signal?.throwIfAborted();
    if (this.streaming && (await this.streamable(options.signal))) {
      let text = "";
      for await (const chunk of this._streamResponseChunks(prompt, options, runManager)) text += chunk.text;
      return text;
    }
    return this.callOnce(prompt, options);
  }

  /** True when the endpoint can stream tokens (chat/completions serving endpoints without an output transform). */
  private async streamable(signal?: AbortSignal): Promise<boolean> {
    if (this.mode.kind !== "serving" || this.transformOutputFn) return false;
    const info = await this.info(signal);
    return !info.custom && LLM_TASKS.has(info.task ?? "");
  }

  private async callOnce(prompt: string, options: this["ParsedCallOptions"]): Promise<string> {
    if (this.mode.kind === "proxy") {
      const body = await this.buildBody(prompt, options, undefined);
      const path = await this.proxyPath();
      const resp = await this.gate.run(() =>
        this.httpClient().request<unknown>({
          method: "POST",
          path,
          body,
          signal: options.signal,
          timeout: this.timeout,
          maxRetries: this.maxRetries,
        }),
      );
      return asString(this.transformOutputFn ? await this.transformOutputFn(resp) : resp);
    }
    const { info, req } = await this.servingRequest(prompt, options, false);
    const resp = await this.gate.run(() => this.httpClient().request<unknown>(req));
    return this.parseServing(resp, info);
  }

  private async parseServing(resp: unknown, info: EndpointInfo): Promise<string> {
    if (!info.custom) {
      if (this.transformOutputFn) return asString(await this.transformOutputFn(resp));
      return textFromChoices(resp) ?? asString(firstPrediction(resp));
    }
    const prediction = firstPrediction(resp);
    if (info.task === "llama2/chat") {
      const text = textFromCandidates(prediction);
      if (text !== undefined) return text;
    }
    if (this.transformOutputFn) return asString(await this.transformOutputFn(prediction));
    return textFromChoices(prediction) ?? textFromCandidates(prediction) ?? asString(prediction);
  }

  /**
   * Streams from chat and completions endpoints. Custom models, the driver proxy and `transformOutputFn`
   * need the whole response, so they yield the full text once.
   */
  override async *_streamResponseChunks(
    prompt: string,
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<GenerationChunk> {
    options.signal?.throwIfAborted();
    if (!(await this.streamable(options.signal))) {
      const text = await this.callOnce(prompt, options);
      const chunk = new GenerationChunk({ text });
      yield chunk;
      await runManager?.handleLLMNewToken(text);
      return;
    }
    const { req } = await this.servingRequest(prompt, options, true);
    for await (const event of this.httpClient().stream<unknown>(req)) {
      if (options.signal?.aborted) break;
      const text = textFromStreamChunk(event);
      if (!text) continue;
      yield new GenerationChunk({ text });
      await runManager?.handleLLMNewToken(text);
    }
    options.signal?.throwIfAborted();
  }
}

/** Never send `"stop": null` or `"stop": []` (not even from `transformInputFn`): some endpoints reject them. */
function withoutEmptyStop(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !("stop" in body)) return body;
  const stop = (body as { stop?: unknown }).stop;
  if (stop !== null && stop !== undefined && !(Array.isArray(stop) && stop.length === 0)) return body;
  const { stop: _empty, ...rest } = body as Record<string, unknown>;
  return rest;
}

function isPromptBody(body: unknown): body is { prompt: unknown } & Record<string, unknown> {
  return typeof body === "object" && body !== null && "prompt" in body && !("messages" in body);
}
