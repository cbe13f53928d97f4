import { afterEach, describe, expect, test, vi } from "vitest";
import { jsonResponse, mockFetch, sseResponse, testAuth } from "../test-support/mock-fetch.js";
import { DatabricksAbortError, DatabricksConfigError, DatabricksStreamError } from "./errors.js";
import { Databricks } from "./llms.js";

const endpointInfo = (task: string, endpoint_type?: string) => ({
  name: "ep",
  task,
  endpoint_type,
  state: { ready: "READY" },
});

/** Serves GET endpoint metadata and answers invocations with `reply(body)`. */
function servingMock(info: Record<string, unknown>, reply: (body: Record<string, unknown>) => unknown) {
  return mockFetch((call) => (call.method === "GET" ? jsonResponse(info) : jsonResponse(reply(call.body))));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Databricks LLM: serving endpoints", () => {
  test("custom model: dataframe_records request, first prediction back, task read lazily once", async () => {
    const m = servingMock(endpointInfo("llm/v1/completions-custom"), () => ({
      predictions: ["I am fine.", "ignored"],
    }));
    const llm = new Databricks({ endpointName: "dolly", ...testAuth(m) });
    expect(m.calls).toHaveLength(0); // no I/O in the constructor
    expect(await llm.invoke("How are you?", { stop: ["."] })).toBe("I am fine.");
    await llm.invoke("again");
    expect(m.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "GET /api/2.0/serving-endpoints/dolly",
      "POST /serving-endpoints/dolly/invocations",
      "POST /serving-endpoints/dolly/invocations",
    ]);
    expect(m.calls[1]!.body).toEqual({ dataframe_records: [{ prompt: "How are you?", stop: ["."] }] });
    expect(m.calls[2]!.body).toEqual({ dataframe_records: [{ prompt: "again" }] });
  });

  test("chat-task foundation endpoint gets messages (not prompt) plus LLM params", async () => {
    const m = servingMock(endpointInfo("llm/v1/chat", "FOUNDATION_MODEL_API"), () => ({
      choices: [{ index: 0, message: { role: "assistant", content: "Hello!" } }],
    }));
    const llm = new Databricks({ endpointName: "chat-ep", ...testAuth(m), maxTokens: 20, stop: ["inst"] });
    expect(await llm.invoke("Hi", { stop: ["call"] })).toBe("Hello!");
    expect(m.calls[1]!.body).toEqual({
      messages: [{ role: "user", content: "Hi" }],
      temperature: 0,
      n: 1,
      max_tokens: 20,
      stop: ["call"],
    });
  });

  test("completions endpoint (task given, no GET) gets prompt; empty stop omitted", async () => {
    const m = mockFetch(() => jsonResponse({ choices: [{ index: 0, text: "done" }] }));
    const llm = new Databricks({
      endpointName: "comp",
      ...testAuth(m),
      task: "llm/v1/completions",
      stop: [],
    });
    expect(await llm.invoke("p")).toBe("done");
    expect(m.calls).toHaveLength(1);
    expect(m.calls[0]!.body).toEqual({ prompt: "p", temperature: 0, n: 1 });
  });

  test("llama2/chat custom models read candidates[0].text", async () => {
    const m = mockFetch(() =>
      jsonResponse({ predictions: [{ candidates: [{ text: "llama says hi", metadata: {} }] }] }),
    );
    const llm = new Databricks({ endpointName: "llama", ...testAuth(m), task: "llama2/chat" });
    expect(await llm.invoke("p")).toBe("llama says hi");
    expect(m.calls[0]!.body).toEqual({ dataframe_records: [{ prompt: "p", temperature: 0, n: 1 }] });
  });

  test("transformInputFn / transformOutputFn (async allowed); non-string output stringified", async () => {
    const m = servingMock(endpointInfo("custom"), (body) => ({ predictions: [{ echoed: body }] }));
    const llm = new Databricks({
      endpointName: "custom",
      ...testAuth(m),
      transformInputFn: async (req) => ({ ...req, prompt: `${req.prompt}\nBe Concise.` }),
      transformOutputFn: (pred) => JSON.stringify(pred).toUpperCase(),
    });
    const out = await llm.invoke("How are you?");
    expect(m.calls[1]!.body).toEqual({ dataframe_records: [{ prompt: "How are you?\nBe Concise." }] });
    expect(out).toContain("BE CONCISE.");
    const plain = new Databricks({
      endpointName: "custom2",
      ...testAuth(servingMock(endpointInfo("x"), () => ({ predictions: [{ a: 1 }] }))),
    });
    expect(await plain.invoke("p")).toBe('{"a":1}');
  });

  test("extraParams and deprecated modelKwargs are merged into the body", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const m = mockFetch(() => jsonResponse({ predictions: ["x"] }));
    await new Databricks({
      endpointName: "a",
      ...testAuth(m),
      task: "custom",
      modelKwargs: { temperature: 0.1 },
    }).invoke("p");
    await new Databricks({
      endpointName: "a",
      ...testAuth(m),
      task: "custom",
      extraParams: { top_k: 3 },
    }).invoke("p", {
      extraParams: { top_k: 4 },
    });
    expect(m.calls[0]!.body).toEqual({ dataframe_records: [{ prompt: "p", temperature: 0.1 }] });
    expect(m.calls[1]!.body).toEqual({ dataframe_records: [{ prompt: "p", top_k: 4 }] });
    // First modelKwargs use in this file (module state is per test file), so the one-time warning fires here.
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("modelKwargs is deprecated"));
  });

  test("streams token deltas from chat endpoints", async () => {
    const m = mockFetch((call) =>
      call.method === "GET"
        ? jsonResponse(endpointInfo("llm/v1/chat", "FOUNDATION_MODEL_API"))
        : sseResponse([
            { choices: [{ index: 0, delta: { content: "你好" } }] },
            { choices: [{ index: 0, delta: { content: "，世界" } }] },
          ]),
    );
    const llm = new Databricks({ endpointName: "chat", ...testAuth(m) });
    const pieces: string[] = [];
    const tokens: string[] = [];
    const stream = await llm.stream("你好吗？", {
      callbacks: [{ handleLLMNewToken: (t: string) => void tokens.push(t) }],
    });
    for await (const piece of stream) pieces.push(piece);
    expect(pieces).toEqual(["你好", "，世界"]);
    expect(tokens).toEqual(pieces);
    expect(m.calls[1]!.body).toEqual({
      messages: [{ role: "user", content: "你好吗？" }],
      temperature: 0,
      n: 1,
      stream: true,
    });
    // streaming: true makes invoke aggregate the same stream.
    const streamingLlm = new Databricks({
      endpointName: "chat",
      ...testAuth(m),
      streaming: true,
      task: "llm/v1/chat",
    });
    expect(await streamingLlm.invoke("你好吗？")).toBe("你好，世界");
  });

  test("a token stream cut off before [DONE] is a typed error, not a shorter answer", async () => {
    const m = mockFetch((call) =>
      call.method === "GET"
        ? jsonResponse(endpointInfo("llm/v1/completions", "FOUNDATION_MODEL_API"))
        : sseResponse([{ choices: [{ index: 0, text: "Once upon" }] }], false),
    );
    const llm = new Databricks({ endpointName: "cmpl", ...testAuth(m) });
    const pieces: string[] = [];
    const e = await (async () => {
      for await (const piece of await llm.stream("tell")) pieces.push(piece);
    })().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatabricksStreamError);
    expect((e as Error).message).toMatch(/ended before completion/);
    expect(pieces).toEqual(["Once upon"]);
    const streaming = new Databricks({ endpointName: "cmpl", ...testAuth(m), streaming: true });
    await expect(streaming.invoke("tell")).rejects.toBeInstanceOf(DatabricksStreamError);
  });

  test("one caller aborting during the shared endpoint lookup does not fail the others", async () => {
    let releaseGet!: () => void;
    const getGate = new Promise<void>((r) => {
      releaseGet = r;
    });
    let gets = 0;
    let getArrived!: () => void;
    const lookingUp = new Promise<void>((r) => {
      getArrived = r;
    });
    // A fetch that honours its signal, as real ones do.
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      if ((init?.method ?? "GET") === "GET") {
        gets++;
        getArrived();
        await new Promise<void>((resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
          void getGate.then(resolve);
        });
        return jsonResponse(endpointInfo("llm/v1/completions", "FOUNDATION_MODEL_API"));
      }
      expect(url.pathname).toBe("/serving-endpoints/shared/invocations");
      return jsonResponse({ choices: [{ index: 0, text: "B got it" }] });
    }) as typeof globalThis.fetch;
    const llm = new Databricks({
      endpointName: "shared",
      host: "https://unit.test",
      token: "dapi-x",
      fetch,
      maxRetries: 0,
    });
    const ac = new AbortController();
    const a = llm.invoke("a", { signal: ac.signal }).catch((x: unknown) => x);
    const b = llm.invoke("b");
    // The lookup is in flight. Whether b joined it before or after the abort, it must be neither
    // cancelled by a's signal nor repeated.
    await lookingUp;
    ac.abort();
    expect(await a).toBeInstanceOf(DatabricksAbortError);
    releaseGet();
    expect(await b).toBe("B got it");
    expect(gets).toBe(1);
  });

  test("call-time extraParams may not hold prompt or stop; null / empty stop is never sent", async () => {
    const m = servingMock(endpointInfo("llm/v1/completions", "FOUNDATION_MODEL_API"), () => ({
      choices: [{ index: 0, text: "ok" }],
    }));
    const llm = new Databricks({ endpointName: "cmpl", ...testAuth(m) });
    await expect(llm.invoke("real prompt", { extraParams: { prompt: "injected" } })).rejects.toBeInstanceOf(
      DatabricksConfigError,
    );
    await expect(llm.invoke("real prompt", { extraParams: { stop: null } })).rejects.toThrow(
      /must not contain "stop"/,
    );
    expect(m.calls.filter((c) => c.method === "POST")).toHaveLength(0);
    await llm.invoke("p", { stop: [] });
    const viaTransform = new Databricks({
      endpointName: "cmpl",
      ...testAuth(m),
      transformInputFn: (r) => ({ ...r, stop: null }),
    });
    await viaTransform.invoke("p");
    const posts = m.calls.filter((c) => c.method === "POST");
    expect(posts.map((c) => "stop" in c.body)).toEqual([false, false]);
    expect(posts[0]!.body.prompt).toBe("p");
  });

  test("pre-aborted signal rejects before any request", async () => {
    const m = mockFetch(() => jsonResponse({}));
    const llm = new Databricks({ endpointName: "e", ...testAuth(m) });
    await expect(llm.invoke("x", { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: "AbortError",
      message: "This operation was aborted",
    });
    expect(m.calls).toHaveLength(0);
  });
});

describe("Databricks LLM: driver proxy", () => {
  test("POSTs {prompt, stop, ...extras} to the driver proxy path and returns the JSON string", async () => {
    const m = mockFetch(() => jsonResponse("我很好。"));
    const llm = new Databricks({
      clusterId: "0000-000000-xxxxxxxx",
      clusterDriverPort: "7777",
      ...testAuth(m),
      extraParams: { temperature: 0.1 },
    });
    expect(await llm.invoke("你好吗？", { stop: ["。"] })).toBe("我很好。");
    expect(m.calls[0]!.path).toBe("/driver-proxy-api/o/0/0000-000000-xxxxxxxx/7777");
    expect(m.calls[0]!.body).toEqual({ prompt: "你好吗？", temperature: 0.1, stop: ["。"] });
  });

  test("cluster id comes from DATABRICKS_CLUSTER_ID when not given", async () => {
    vi.stubEnv("DATABRICKS_CLUSTER_ID", "env-cluster");
    try {
      const m = mockFetch(() => jsonResponse("ok"));
      const llm = new Databricks({ clusterDriverPort: 7777, ...testAuth(m) });
      await llm.invoke("x");
      expect(m.calls[0]!.path).toBe("/driver-proxy-api/o/0/env-cluster/7777");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test("a port outside 3000-8000 warns but works", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    new Databricks({ clusterId: "c", clusterDriverPort: 40001, token: "t" });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("outside the recommended range 3000-8000"));
  });
});

describe("Databricks LLM: validation (seed semantics without its bugs)", () => {
  test.each([
    [{ endpointName: "e", clusterId: "c" }, /Cannot set both endpointName and clusterId/],
    [{ endpointName: "e", clusterDriverPort: 7777 }, /Cannot set both endpointName and clusterDriverPort/],
    [{ clusterId: "c" }, /Must set clusterDriverPort/],
    [{}, /Must specify either endpointName/],
    [{ clusterId: "c", clusterDriverPort: "0" }, /Invalid clusterDriverPort/],
    [{ clusterId: "c", clusterDriverPort: "abc" }, /Invalid clusterDriverPort/],
    [{ endpointName: "e", modelKwargs: { prompt: "x" } }, /modelKwargs must not contain "prompt"/],
    [{ endpointName: "e", extraParams: { stop: ["x"] } }, /extraParams must not contain "stop"/],
    [{ endpointName: "e", modelKwargs: {}, extraParams: {} }, /Cannot set both modelKwargs and extraParams/],
  ])("%j is rejected", (fields, message) => {
    vi.stubEnv("DATABRICKS_CLUSTER_ID", "");
    vi.stubEnv("DB_CLUSTER_ID", "");
    try {
      expect(() => new Databricks(fields)).toThrow(message);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test("serialisation keeps data fields and no token; functions are not serialised", () => {
    const llm = new Databricks({
      endpointName: "dolly",
      apiToken: "dapi-very-secret",
      temperature: 0.2,
      transformInputFn: (r) => r,
    });
    const json = JSON.stringify(llm.toJSON());
    expect(json).not.toContain("dapi-very-secret");
    expect(json).toContain('"endpoint_name":"dolly"');
    expect(json).not.toContain("transform");
    expect(JSON.stringify(llm._identifyingParams())).not.toContain("dapi");
  });
});
