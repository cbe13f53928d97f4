import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { ConfigError, DatabricksError } from "../errors.js";
import type { HttpRequest } from "../http/request.js";
import { isStreamOptionsRejection } from "../model-support/route-policy.js";
import { CHAT_COMPLETIONS_PATH, invocationsPath } from "../serving-urls.js";
import type { ChatProtocol, ChatProtocolHost, OpenedChatStream, ParsedOptions } from "./base.js";
import { once, readResponse } from "./chunks.js";
import { parseChatResponse } from "./converters/chat-completions.js";
import { ChatStreamAssembler, MultiChoiceStreamAssembler } from "./converters/chat-completions-stream.js";
import type { WireChatResponse } from "./wire.js";

/**
 * The chat-completions protocol: `POST /serving-endpoints/chat/completions` (the endpoint named by `model`), or
 * the endpoint's `/invocations` when the route policy says so (forced, or learnt from a route rejection).
 */
export class ChatCompletionsProtocol implements ChatProtocol {
  readonly #host: ChatProtocolHost;

  constructor(host: ChatProtocolHost) {
    this.#host = host;
  }

  /** The request of one call; `viaInvocations` picks the endpoint's own route. */
  request(
    messages: BaseMessage[],
    o: ParsedOptions,
    stream: boolean,
    viaInvocations = this.#host.routes.useInvocations(),
  ): HttpRequest {
    const host = this.#host;
    // invocationParams returns a fresh object: fill it in place (invoke is a benchmarked hot path).
    const body = host.invocationParams(o);
    body.messages = host.wireMessages(messages);
    if (stream) {
      body.stream = true;
      const wantUsage = o.streamUsage ?? host.streamUsage;
      if (o.stream_options) body.stream_options = o.stream_options;
      else if (wantUsage && !host.routes.quirks.noStreamOptions)
        body.stream_options = { include_usage: true };
    }
    // `model` written last: extraParams must not redirect the call to another endpoint.
    if (!viaInvocations) body.model = host.model;
    const req = host.requestFor(
      o,
      viaInvocations ? invocationsPath(host.model) : CHAT_COMPLETIONS_PATH,
      body,
    );
    // Databricks SSE streams (chat/completions and /invocations) always end with `data: [DONE]`
    // (spec/chat-completions.md): without it the answer was cut short, and must not pass for a complete one.
    if (stream) req.expectDone = true;
    return req;
  }

  /** Non-streaming call, falling back to `/invocations` once if the OpenAI route is refused. */
  async generate(messages: BaseMessage[], o: ParsedOptions): Promise<ChatResult> {
    const host = this.#host;
    const resp = await host.routes.run((viaInvocations) => {
      const req = this.request(messages, o, false, viaInvocations);
      return host.gate.run(() => host.httpClient().request<WireChatResponse>(req));
    });
    const result = readResponse(host.model, () => parseChatResponse(resp, host.model));
    if (result.generations.length === 0) {
      throw new DatabricksError(
        `Endpoint "${host.model}" returned no choices (expected "choices" or ChatAgent "messages" in the response).`,
        { endpoint: host.model },
      );
    }
    return result;
  }

  /**
   * Opens a stream and pulls the first event, which is where HTTP errors surface. Route and `stream_options`
   * rejections are learnt and retried once each; nothing has been yielded yet, so this is safe. With `n > 1`
   * every choice is streamed, each chunk tagged with its choice index.
   */
  async openStream(
    messages: BaseMessage[],
    o: ParsedOptions,
    streamUsage: boolean,
  ): Promise<OpenedChatStream<WireChatResponse>> {
    const host = this.#host;
    const { routes } = host;
    let viaInvocations = routes.useInvocations();
    for (let attempt = 0; attempt < 3; attempt++) {
      const it = host.httpClient().stream<WireChatResponse>(this.request(messages, o, true, viaInvocations));
      try {
        const first = await host.gate.run(() => it.next());
        // The fallback worked: remember it for the endpoint.
        if (viaInvocations && !routes.useInvocations()) routes.quirks.invocationsOnly = true;
        return { first, rest: it, ...this.#assembler(o, streamUsage) };
      } catch (e) {
        if (
          attempt < 2 &&
          !o.stream_options &&
          isStreamOptionsRejection(e) &&
          !routes.quirks.noStreamOptions
        ) {
          routes.quirks.noStreamOptions = true;
          continue;
        }
        if (attempt < 2 && routes.shouldFallBack(e, viaInvocations)) {
          viaInvocations = true;
          continue;
        }
        throw e;
      }
    }
    throw new ConfigError(`Could not open a stream to endpoint "${host.model}".`);
  }

  #assembler(
    o: ParsedOptions,
    streamUsage: boolean,
  ): Pick<OpenedChatStream<WireChatResponse>, "push" | "finish"> {
    const host = this.#host;
    // Choices asked for, by the same precedence as the request body.
    const n = o.n ?? o.extraParams?.n ?? host.n ?? host.extraParams?.n;
    if (typeof n === "number" && n > 1) {
      const multi = new MultiChoiceStreamAssembler(host.model, streamUsage);
      return { push: (event) => multi.push(event), finish: () => multi.finish() };
    }
    const single = new ChatStreamAssembler(host.model, streamUsage);
    return { push: (event) => once(single.push(event)), finish: () => [single.finish()] };
  }
}
