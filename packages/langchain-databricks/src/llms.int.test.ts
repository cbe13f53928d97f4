import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { type DriverProxyServer, serveDriverProxyApp } from "./driver-proxy/server.js";
import { InternalError } from "./errors.js";
import { Databricks, type DatabricksLLMInput } from "./llms.js";

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
let app: DriverProxyServer;
const seenByApp: Array<{ prompt: string; kwargs: Record<string, unknown> }> = [];

/** Stand-in for the seed's dolly: answers from the prompt, honouring stop sequences like the real pipeline. */
function dolly(prompt: string, stop?: string[]): string {
  const answer = /[\u4e00-\u9fff]/.test(prompt)
    ? "我很好。谢谢你的关心。"
    : prompt.includes("Be Concise.")
      ? "Fine."
      : "I am fine. Thank you for asking.";
  let cut = answer.length;
  for (const s of stop ?? []) {
    const at = answer.indexOf(s);
    if (at !== -1 && at < cut) cut = at;
  }
  return answer.slice(0, cut);
}

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    transitionMs: 0,
    // Test apps listen on random ports, outside the seed's [3000, 8000].
    driverProxyPorts: [1024, 65535],
    models: {
      "main.default.dolly": {
        signature: {
          inputs: [
            { name: "prompt", type: "string" },
            { name: "stop", type: "list[string]" },
          ],
          outputs: [{ type: "string" }],
        },
        predict: (records) =>
          (records as Array<{ prompt: string; stop?: string[] }>).map((r) => dolly(r.prompt, r.stop)),
      },
    },
  });
  const res = await fetch(`${emu.url}/api/2.0/serving-endpoints`, {
    method: "POST",
    headers: { authorization: `Bearer ${emu.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "dolly",
      config: {
        served_entities: [{ entity_name: "main.default.dolly", entity_version: "1", workload_size: "Small" }],
      },
    }),
  });
  expect(res.status, await res.text()).toBe(200);
  emu.admin.advanceClock(1000);
  // The seed's Flask app, served through the emulator's driver proxy.
  app = await serveDriverProxyApp(
    (prompt, stop, kwargs) => {
      seenByApp.push({ prompt, kwargs });
      if (prompt === "boom") throw new Error("model exploded");
      return dolly(prompt, stop);
    },
    { host: "127.0.0.1", port: 0 },
  );
});
afterAll(async () => {
  await app?.close();
  await emu?.close();
});

const auth = () => ({ host: emu.url, token: emu.token, maxRetries: 0 });

describe("Databricks LLM: serving endpoint (custom model)", () => {
  test("seed examples: plain call, stop, modelKwargs, transformInputFn", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(await new Databricks({ endpointName: "dolly", ...auth() }).invoke("How are you?")).toBe(
        "I am fine. Thank you for asking.",
      );
      expect(
        await new Databricks({ endpointName: "dolly", ...auth() }).invoke("How are you?", { stop: ["."] }),
      ).toBe("I am fine");
      const withKwargs = new Databricks({
        endpointName: "dolly",
        ...auth(),
        modelKwargs: { temperature: 0.1 },
      });
      expect(await withKwargs.invoke("How are you?")).toBe("I am fine. Thank you for asking.");
      const concise = new Databricks({
        endpointName: "dolly",
        ...auth(),
        transformInputFn: (request) => ({ ...request, prompt: `${request.prompt}\n    Be Concise.\n    ` }),
      });
      expect(await concise.invoke("How are you?")).toBe("Fine.");
    } finally {
      warn.mockRestore();
    }
  });
});

describe("Databricks LLM: foundation chat endpoint", () => {
  test("task read from the endpoint; prompt becomes messages; stream yields tokens", async () => {
    const llm = new Databricks({ endpointName: "databricks-meta-llama-3-3-70b-instruct", ...auth() });
    expect(await llm.invoke('say "hi from llm"')).toBe("hi from llm");
    const pieces: string[] = [];
    for await (const p of await llm.stream("count to 5")) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe("1, 2, 3, 4, 5");
    expect(await llm.invoke("count to 5", { stop: [", 3"] })).toBe("1, 2");
    const batch = await llm.batch(['say "a"', 'say "b"']);
    expect(batch).toEqual(["a", "b"]);
  });
});

describe("Databricks LLM: cluster driver proxy", () => {
  const proxy = (extra: Partial<DatabricksLLMInput> = {}) => {
    // Random test ports are outside 3000-8000; the warning is expected here.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      return new Databricks({
        clusterId: emu.defaultClusterId,
        clusterDriverPort: String(app.port),
        ...auth(),
        ...extra,
      });
    } finally {
      warn.mockRestore();
    }
  };

  test("Chinese prompts round trip through the proxy app", async () => {
    expect(await proxy().invoke("你好吗？")).toBe("我很好。谢谢你的关心。");
    expect(await proxy().invoke("你好吗？", { stop: ["。"] })).toBe("我很好");
  });

  test("extraParams reach the app; transformInputFn / transformOutputFn apply", async () => {
    const llm = proxy({
      extraParams: { temperature: 0.1 },
      transformInputFn: (request) => ({ ...request, prompt: `${request.prompt}\n    言简意赅。\n    ` }),
      transformOutputFn: (response) => `<<${String(response)}>>`,
    });
    expect(await llm.invoke("你好吗？")).toBe("<<我很好。谢谢你的关心。>>");
    expect(seenByApp.at(-1)).toEqual({
      prompt: "你好吗？\n    言简意赅。\n    ",
      kwargs: { temperature: 0.1 },
    });
  });

  test("cluster id from DATABRICKS_CLUSTER_ID (seed: Databricks(cluster_driver_port='7777'))", async () => {
    vi.stubEnv("DATABRICKS_CLUSTER_ID", emu.defaultClusterId);
    try {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const llm = new Databricks({ clusterDriverPort: app.port, ...auth() });
      warn.mockRestore();
      expect(await llm.invoke("你好吗？")).toBe("我很好。谢谢你的关心。");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test("nothing listening on the port: a typed error, not a hang", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const llm = new Databricks({ clusterId: emu.defaultClusterId, clusterDriverPort: 1, ...auth() });
    warn.mockRestore();
    await expect(llm.invoke("hi")).rejects.toMatchObject({ status: 502 });
  });

  test("a model failure of the app is not re-sent; a 503 from the app or gateway still is", async () => {
    const fast = { maxRetries: 3, retry: { baseDelayMs: 1, maxDelayMs: 5 } };
    const before = seenByApp.filter((c) => c.prompt === "boom").length;
    const err = await proxy(fast)
      .invoke("boom")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalError);
    expect(err).toMatchObject({ status: 500, errorCode: "MODEL_ERROR" });
    expect((err as Error).message).toContain("Model function failed; see the server log for request");
    expect((err as Error).message).not.toContain("model exploded");
    expect(seenByApp.filter((c) => c.prompt === "boom").length - before).toBe(1);

    let calls = 0;
    const flaky = createServer((req, res) => {
      req.resume();
      calls++;
      if (calls === 1) {
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ error_code: "TEMPORARILY_UNAVAILABLE", message: "warming up" }));
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify("warm now"));
      }
    });
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", r));
    try {
      const port = (flaky.address() as AddressInfo).port;
      expect(await proxy({ ...fast, clusterDriverPort: String(port) }).invoke("hi")).toBe("warm now");
      expect(calls).toBe(2);
    } finally {
      await new Promise<void>((r) => flaky.close(() => r()));
    }
  });
});
