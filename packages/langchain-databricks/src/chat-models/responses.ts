import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { ConfigError } from "../errors.js";
import type { HttpRequest } from "../http/request.js";
import { RESPONSES_PATH } from "../serving-urls.js";
import type { ChatProtocol, ChatProtocolHost, Json, OpenedChatStream, ParsedOptions } from "./base.js";
import { once, readResponse } from "./chunks.js";
import {
  isResponsesFinalEvent,
  parseResponsesObject,
  type ResponsesObject,
  ResponsesStreamAssembler,
  toResponsesInput,
  toResponsesTextFormat,
  toResponsesToolChoice,
  toResponsesTools,
} from "./converters/responses.js";
import type { WireTool } from "./wire.js";

/** The Responses protocol: `POST /serving-endpoints/responses` (ResponsesAgent endpoints, `useResponsesApi`). */
export class ResponsesProtocol implements ChatProtocol {
  readonly #host: ChatProtocolHost;

  constructor(host: ChatProtocolHost) {
    this.#host = host;
  }

  get #shorten(): boolean {
    return this.#host.quirks.shortenResponsesIds ?? true;
  }

  /** The request of one call, from the same call options as chat completions. */
  request(messages: BaseMessage[], o: ParsedOptions, stream: boolean): HttpRequest {
    const host = this.#host;
    const params = host.invocationParams(o);
    // The Responses API has no stop/n and names the token limit differently.
    const { stop, n, max_tokens, tools, tool_choice, response_format, ...rest } = params;
    // Python silently drops these on the Responses API; failing loudly is kinder than ignoring a setting.
    if (stop !== undefined || n !== undefined) {
      throw new ConfigError(
        `The Responses API does not support ${stop !== undefined ? "stop sequences" : "n > 1"}; ` +
          "remove that setting or set useResponsesApi: false.",
      );
    }
    const input = toResponsesInput(host.wireMessages(messages), this.#shorten);
    const body: Json = { ...rest, model: host.model, input };
    if (max_tokens !== undefined) body.max_output_tokens = max_tokens;
    if (Array.isArray(tools)) body.tools = toResponsesTools(tools as WireTool[]);
    if (tool_choice !== undefined) body.tool_choice = toResponsesToolChoice(tool_choice);
    // Structured output: the Responses API takes `text.format`, never the chat-completions `response_format`.
    if (response_format !== undefined) {
      const text = typeof rest.text === "object" && rest.text !== null ? (rest.text as Json) : {};
      body.text = { ...text, format: toResponsesTextFormat(response_format as Json) };
    }
    if (stream) body.stream = true;
    const req = host.requestFor(o, RESPONSES_PATH, body);
    if (stream) {
      // Responses streams end with a terminal `response.completed` / `response.incomplete` event (OpenAI) or with
      // `[DONE]` (Databricks agents); ending with neither means the answer was truncated.
      req.expectDone = true;
      req.isFinalEvent = isResponsesFinalEvent;
    }
    return req;
  }

  async generate(messages: BaseMessage[], o: ParsedOptions): Promise<ChatResult> {
    const host = this.#host;
    const req = this.request(messages, o, false);
    // Inside the concurrency queue like every other exchange (`maxConcurrency` applies here too).
    const resp = await host.gate.run(() => host.httpClient().request<ResponsesObject>(req));
    return readResponse(host.model, () => parseResponsesObject(resp, host.model, this.#shorten));
  }

  async openStream(
    messages: BaseMessage[],
    o: ParsedOptions,
    streamUsage: boolean,
  ): Promise<OpenedChatStream<Json>> {
    const host = this.#host;
    const assembler = new ResponsesStreamAssembler(host.model, streamUsage, this.#shorten);
    const events = host.httpClient().stream<Json>(this.request(messages, o, true));
    let hadToolCalls = false;
    // Opening the stream (up to its first event) counts against `maxConcurrency`, as for chat streams.
    const first = await host.gate.run(() => events.next());
    return {
      first,
      rest: events,
      push: (event) => {
        const chunk = assembler.push(event);
        if ((chunk?.message as AIMessageChunk | undefined)?.tool_call_chunks?.length) hadToolCalls = true;
        return once(chunk);
      },
      finish: () => [assembler.finish(hadToolCalls)],
    };
  }
}
