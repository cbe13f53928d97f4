/**
 * Shared plumbing for the conformance suite (`spec/conformance-cases.md`): start a real emulator on a random loopback
 * port per file, make raw `fetch` calls against it, and read loosely-typed JSON without `any`.
 * Tests assert on the wire (status, headers, body), never on emulator internals.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { startEmulator } from "../src/index.js";

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;
export type EmulatorOptions = NonNullable<Parameters<typeof startEmulator>[0]>;

export interface CallOptions {
  /** Bearer token to send; default the emulator's PAT. `null` sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
  /** Send this exact body text instead of `JSON.stringify(body)`. */
  raw?: string;
  query?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; `undefined` when the body is empty or not JSON. */
  json: unknown;
}

export interface EmulatorHandle {
  readonly emu: Emulator;
  /** The transition delay the emulator was started with (transitions run on the emulator clock). */
  readonly transitionMs: number;
  call(method: string, path: string, body?: unknown, opts?: CallOptions): Promise<CallResult>;
}

/** Calls against any emulator (or a second one started inside a test). */
export async function callEmulator(
  emu: Pick<Emulator, "url" | "token">,
  method: string,
  path: string,
  body?: unknown,
  opts: CallOptions = {},
): Promise<CallResult> {
  const url = new URL(path, emu.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? emu.token : opts.token;
  if (token !== null && headers.Authorization === undefined) headers.Authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (opts.raw !== undefined) payload = opts.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && headers["Content-Type"] === undefined)
    headers["Content-Type"] = "application/json";
  const res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Starts one emulator for the enclosing `describe` (or file) and closes it afterwards. */
export function useEmulator(options: Partial<EmulatorOptions> = {}): EmulatorHandle {
  let current: Emulator | undefined;
  const transitionMs = options.transitionMs ?? 0;
  beforeAll(async () => {
    current = await startEmulator({ port: 0, ...options, transitionMs } as EmulatorOptions);
  });
  afterAll(async () => {
    await current?.close();
  });
  const get = (): Emulator => {
    if (!current) throw new Error("emulator not started: use the handle inside it()/beforeAll()");
    return current;
  };
  return {
    transitionMs,
    get emu(): Emulator {
      return get();
    },
    call: (method, path, body, opts) => callEmulator(get(), method, path, body, opts),
  };
}

/** Reads `v[p0][p1]...`, tolerating anything on the way (undefined when a step is missing). */
export function dig(v: unknown, ...path: Array<string | number>): unknown {
  let cur: unknown = v;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export function asArray(v: unknown): unknown[] {
  expect(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`).toBe(true);
  return v as unknown[];
}

export function asRecord(v: unknown): Record<string, unknown> {
  expect(
    v !== null && typeof v === "object" && !Array.isArray(v),
    `expected an object, got ${JSON.stringify(v)}`,
  ).toBe(true);
  return v as Record<string, unknown>;
}

/**
 * Asserts the Databricks error envelope (spec/errors.md 1.4): JSON content type, `error_code` (string or numeric),
 * a string `message`, and nothing that looks like a stack trace.
 */
export function expectError(
  res: CallResult,
  status: number,
  errorCode?: string | number,
  message?: string | RegExp,
): Record<string, unknown> {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/application\/json/);
  const body = asRecord(res.json);
  if (errorCode !== undefined) expect(body.error_code, res.text).toBe(errorCode);
  else expect(["string", "number"]).toContain(typeof body.error_code);
  expect(typeof body.message).toBe("string");
  if (typeof message === "string") expect(body.message).toBe(message);
  else if (message) expect(body.message).toMatch(message);
  expectNoStack(res.text);
  return body;
}

/** No stack frames, file paths or internal exception names leak into a response. */
export function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at\s/);
  expect(text).not.toMatch(/node_modules|\.ts:\d+|\.js:\d+/);
  expect(text).not.toMatch(/TypeError|ReferenceError|SyntaxError: Unexpected/);
}

export const TERMINAL_STATES = new Set(["NOT_UPDATING", "UPDATE_FAILED", "UPDATE_CANCELED"]);

/**
 * Finishes an endpoint's in-flight config update deterministically: transitions run on the emulator clock, so
 * instead of sleeping we move that clock past the transition delay, then GET. Returns the final GET body.
 */
export async function waitForEndpoint(h: EmulatorHandle, name: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 3; i++) {
    const res = await h.call("GET", `/api/2.0/serving-endpoints/${name}`);
    expect(res.status, res.text).toBe(200);
    const state = dig(res.json, "state", "config_update");
    if (typeof state === "string" && TERMINAL_STATES.has(state)) return asRecord(res.json);
    h.emu.admin.advanceClock(h.transitionMs + 1);
  }
  throw new Error(`endpoint ${name} did not finish updating after advancing the emulator clock`);
}

/** Creates an endpoint and waits until it is READY; fails loudly with the server's answer otherwise. */
export async function createReady(
  h: EmulatorHandle,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const res = await h.call("POST", "/api/2.0/serving-endpoints", body);
  expect(res.status, res.text).toBe(200);
  const final = await waitForEndpoint(h, String(body.name));
  expect(dig(final, "state", "ready"), JSON.stringify(final)).toBe("READY");
  return final;
}

/** A custom-model create body in the spec's case-5 shape. */
/** A custom-model served entity (`Small`, scale to zero) named `name`. */
export const servedEntity = (
  name: string,
  entityName = "cat.sch.m",
  version = "1",
): Record<string, unknown> => ({
  name,
  entity_name: entityName,
  entity_version: version,
  workload_size: "Small",
  scale_to_zero_enabled: true,
});

export function customEndpoint(
  name: string,
  entityName = "cat.sch.m",
  version = "1",
): Record<string, unknown> {
  return {
    name,
    config: {
      served_entities: [
        {
          entity_name: entityName,
          entity_version: version,
          workload_size: "Small",
          scale_to_zero_enabled: true,
        },
      ],
    },
  };
}

/** An external OpenAI-provider endpoint that the emulator can serve offline through its own loopback base. */
export function externalEndpoint(
  emu: Emulator,
  name: string,
  opts: { model?: string; task?: string; secret?: string } = {},
): Record<string, unknown> {
  return {
    name,
    config: {
      served_entities: [
        {
          external_model: {
            name: opts.model ?? "gpt-4o-mini",
            provider: "openai",
            task: opts.task ?? "llm/v1/chat",
            openai_config: {
              openai_api_key: opts.secret ?? "{{secrets/s/k}}",
              openai_api_base: emu.openaiApiBase,
            },
          },
        },
      ],
    },
  };
}

/** Makes sure secret scope `s` with key `k` exists (the default external-model key reference). */
export async function ensureSecret(
  h: EmulatorHandle,
  scope = "s",
  key = "k",
  value = "sk-local",
): Promise<void> {
  const created = await h.call("POST", "/api/2.0/secrets/scopes/create", { scope });
  expect([200, 400]).toContain(created.status);
  const put = await h.call("POST", "/api/2.0/secrets/put", { scope, key, string_value: value });
  expect(put.status, put.text).toBe(200);
}

/** Parses an SSE body the way mlflow's strict parser does: only `data:` lines, `[DONE]` ends the stream. */
export function parseStrictSse(text: string): { events: unknown[]; done: boolean } {
  const events: unknown[] = [];
  let done = false;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    expect(done, "no lines after data: [DONE]").toBe(false);
    const colon = line.indexOf(":");
    expect(line.slice(0, colon), `non-data SSE line: ${line}`).toBe("data");
    const value = line.slice(colon + 1).trim();
    if (value === "[DONE]") {
      done = true;
      continue;
    }
    events.push(JSON.parse(value));
  }
  return { events, done };
}

export const HEX32 = /^[0-9a-f]{32}$/;
