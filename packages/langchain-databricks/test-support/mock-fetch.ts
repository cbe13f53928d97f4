/**
 * Test helper: a recording `fetch` for the real `DatabricksHttpClient`, so unit tests exercise the one HTTP
 * path end to end without a socket.
 */

export interface RecordedCall {
  url: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export type Reply = Response | Promise<Response>;

export interface MockFetch {
  fetch: typeof globalThis.fetch;
  calls: RecordedCall[];
}

export function mockFetch(handler: (call: RecordedCall, n: number) => Reply): MockFetch {
  const calls: RecordedCall[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    let body: Record<string, unknown> = {};
    if (typeof init?.body === "string" && init.body) body = JSON.parse(init.body);
    else if (init?.body instanceof Uint8Array) body = JSON.parse(new TextDecoder().decode(init.body));
    const call: RecordedCall = {
      url,
      path: new URL(url).pathname,
      method: init?.method ?? "GET",
      headers,
      body,
    };
    calls.push(call);
    return handler(call, calls.length - 1);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function errorResponse(status: number, errorCode: string, message: string): Response {
  return jsonResponse({ error_code: errorCode, message }, status);
}

/** An SSE response with one `data:` line per event and the `[DONE]` terminator. */
export function sseResponse(events: unknown[], done = true): Response {
  const text =
    events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") + (done ? "data: [DONE]\n\n" : "");
  return new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } });
}

/** Auth options for unit tests: a fixed host and token, the mock fetch, and no retries. */
export function testAuth(m: MockFetch) {
  return { host: "https://unit.test", token: "dapi-unit-test-token", fetch: m.fetch, maxRetries: 0 };
}
