/**
 * Runs the quickstart and every example as child processes (compiled, against the built packages: see runExample),
 * and checks their output. Offline runs start their own embedded emulator; the "workspace" runs point the
 * same scripts at an emulator started here, through DATABRICKS_HOST/DATABRICKS_TOKEN, as a real workspace would be.
 */
import { startEmulator } from "databricks-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildStale,
  LIBRARY_PACKAGES,
  removeCompiledTrees,
  runExample,
} from "../packages/langchain-databricks-cli/test-support/processes.js";

import { dolly, dollyModel } from "./lib/dolly.js";

// The examples run compiled, against the built packages (runExample): dist/ current with src/ first.
beforeAll(() => buildStale(LIBRARY_PACKAGES), 180_000);
afterAll(removeCompiledTrees);

// Port 0: never collide with another test (or a developer's app) on the seed's 7777.
const OFFLINE = { DRIVER_PROXY_PORT: "0" };
const SECRET_WORDS = ["sk-offline-dummy-key"];

function expectClean(result: { code: number | null; stdout: string; stderr: string }) {
  expect(result.code, `exit code; stderr:\n${result.stderr}\nstdout:\n${result.stdout}`).toBe(0);
  expect(result.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
  for (const word of SECRET_WORDS) expect(result.stdout + result.stderr).not.toContain(word);
}

describe("quickstart (offline, embedded emulator)", () => {
  it("prints every seed step's result and exits 0", { timeout: 90_000 }, async () => {
    const result = await runExample("examples/quickstart.ts", [], { env: OFFLINE });
    expectClean(result);
    const out = result.stdout;
    expect(out).toMatch(/running on embedded emulator at http:\/\/127\.0\.0\.1:\d+/);
    // 1. secrets
    expect(out).toContain("stored quickstart/openai-api-key (a dummy key: offline)");
    // 2. my-chat through the emulator's OpenAI-compatible route
    expect(out).toMatch(/my-chat is READY/);
    expect(out).toMatch(/^content='.+'$/m);
    // 3. embeddings: three non-zero numbers (the vectors are dense), then related beats unrelated clearly
    const head = /^\[(-?\d[\d.e-]*), (-?\d[\d.e-]*), (-?\d[\d.e-]*)\]$/m.exec(out);
    expect(head, out).not.toBeNull();
    for (const x of head!.slice(1)) expect(Number(x)).not.toBe(0);
    const sims =
      /1024 dimensions; cosine\(hello, "hello there"\) = (-?[\d.]+), cosine\(hello, "quarterly tax report"\) = (-?[\d.]+)/.exec(
        out,
      );
    expect(sims, out).not.toBeNull();
    expect(Number(sims![1])).toBeGreaterThan(Number(sims![2]) + 0.3);
    // 4. dolly: plain, stop ["."], explicit host, modelKwargs, transformInputFn
    // Literal replies, independent of the stand-in under test: the seed page's answer to "How are you?"
    // ('I am happy to hear that you are in good health and as always, you are appreciated.'), after the
    // "Good" that its stop=["."] call shows comes first.
    expect(out).toContain(
      "'Good. I am happy to hear that you are in good health and as always, you are appreciated.'\n",
    );
    expect(out).toContain("'Good'\n");
    expect(out).toContain("'I am fine.'\n");
    expect(out).toContain("'I am fine. Thank you!'\n");
    // 5. driver proxy with Chinese prompts, modelKwargs and both transforms
    expect(out).toContain("'你好，谢谢你的关心。听到你过得很好真是太棒了。'");
    expect(out).toContain("'我很好。很高兴见到你。'");
    expect(out).toContain("'我很好，谢谢你。'");
    expect(out).toContain("'I AM FINE. THANK YOU!'");
    expect(out).not.toContain("skipped");
    expect(out).toMatch(/Done in \d+\.\ds\./);
  });
});

describe.concurrent("each example on its own (offline)", () => {
  const cases: [string, (out: string) => void][] = [
    ["01_secrets.ts", (out) => expect(out).toContain("created scope quickstart")],
    ["02_external_chat.ts", (out) => expect(out).toMatch(/^content='.+'$/m)],
    [
      "03_embeddings.ts",
      (out) => expect(out).toMatch(/1024 dimensions; cosine\(hello, "hello there"\) = 0\.\d+/),
    ],
    ["04_custom_model.ts", (out) => expect(out).toContain("'Good'\n")],
    ["05_driver_proxy.ts", (out) => expect(out).toContain("'I AM FINE. THANK YOU!'")],
  ];
  for (const [file, check] of cases) {
    it(file, { timeout: 60_000 }, async () => {
      const result = await runExample(`examples/${file}`, [], { env: OFFLINE });
      expectClean(result);
      expect(result.stdout).toMatch(/^Running on embedded emulator/);
      check(result.stdout);
    });
  }
});

describe("against a workspace given by DATABRICKS_HOST (an emulator standing in for a real one)", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    // DRIVER_PROXY_PORT=0 puts the example's app on a random port, outside the seed's [3000, 8000].
    emulator = await startEmulator({
      models: { dolly: dollyModel },
      transitionMs: 50,
      driverProxyPorts: [1024, 65535],
    });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  const env = () => ({ DATABRICKS_HOST: emulator.url, DATABRICKS_TOKEN: emulator.token });

  it("without OPENAI_API_KEY, a dolly endpoint or a cluster app, the quickstart skips those steps and says why", {
    timeout: 60_000,
  }, async () => {
    const result = await runExample("examples/quickstart.ts", [], { env: env() });
    expectClean(result);
    const out = result.stdout;
    expect(out).toContain(`running on ${emulator.url}`);
    expect(out).toContain("skipped: OPENAI_API_KEY is not set");
    expect(out).toContain("skipped: no OpenAI key secret (step 1 was skipped)");
    expect(out).toContain('skipped: this workspace has no "dolly" endpoint');
    expect(out).toContain("skipped: set DATABRICKS_CLUSTER_ID and DRIVER_PROXY_PORT");
    // Embeddings need nothing: the foundation endpoint exists on every workspace.
    expect(out).toMatch(/1024 dimensions/);
  });

  it("with an existing dolly endpoint, step 4 runs against it", { timeout: 60_000 }, async () => {
    const res = await fetch(`${emulator.url}/api/2.0/serving-endpoints`, {
      method: "POST",
      headers: { authorization: `Bearer ${emulator.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "dolly",
        config: {
          served_entities: [
            {
              entity_name: "dolly",
              entity_version: "1",
              workload_size: "Small",
              scale_to_zero_enabled: true,
            },
          ],
        },
      }),
    });
    expect(res.status).toBe(200);
    const result = await runExample("examples/04_custom_model.ts", [], { env: env() });
    expectClean(result);
    expect(result.stdout).toContain(`Running on ${emulator.url}`);
    expect(result.stdout).toContain("'Good'\n");
    expect(result.stdout).toContain("'I am fine.'\n");
  });

  it("a wrong token fails with one clear line and exit code 1, without printing the token", {
    timeout: 60_000,
  }, async () => {
    const result = await runExample("examples/03_embeddings.ts", [], {
      env: { DATABRICKS_HOST: emulator.url, DATABRICKS_TOKEN: "dapi-wrong-token-0000" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: \w+Error: .*(Invalid access token|auth)/im);
    expect(result.stdout + result.stderr).not.toContain("dapi-wrong-token-0000");
  });
});

describe("dolly stand-in", () => {
  it("honours stop sequences and answers in the question's language", () => {
    expect(dolly("How are you?", ["."])).toBe("Good");
    expect(dolly("How are you?", ["happy", "Good"])).toBe("");
    expect(dolly("你好吗？", ["。"])).toBe("你好，谢谢你的关心");
    expect(dolly("How are you?\n言简意赅。")).toBe("I am fine. Thank you!");
    expect(dolly("How are you?", [], { temperature: 0.1 })).toBe("I am fine.");
  });

  it("as a custom model: one prediction per record, with type errors for bad records", () => {
    expect(
      dollyModel.predict([
        { prompt: "How are you?", stop: ["."] },
        { prompt: "你好吗？", temperature: 0.1 },
      ]),
    ).toEqual(["Good", "我很好。很高兴见到你。"]);
    expect(() => dollyModel.predict([{ stop: ["."] }])).toThrow(/string "prompt"/);
    expect(() => dollyModel.predict([{ prompt: "x", stop: "." }])).toThrow(/list of strings/);
  });
});
