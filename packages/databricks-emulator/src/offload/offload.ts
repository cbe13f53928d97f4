import { Worker } from "node:worker_threads";
import type { EngineHandler, EngineModel, EngineRoute } from "../engines/index.js";
import { ApiError } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { WorkerAnswer, WorkerTask } from "./engine-worker.js";
import { handlerName } from "./handlers.js";

/** Estimated output tokens above which a generation leaves the event loop. */
const HEAVY_OUTPUT_TOKENS = 4096;
/** Prompt characters above which tokenizing the prompt alone is too much for the event loop (~8k tokens). */
const HEAVY_PROMPT_CHARS = 32 * 1024;
/** Embedding inputs above which one request is offloaded. */
const HEAVY_INPUTS = 64;
/** Same pattern as the engine's `N words` prompt (engines/reply.ts). */
const N_WORDS = /\b(\d{1,6})\s+words?\b/i;

/** A JSON answer that is already text (written as is by the data plane). */
export class SerializedJson {
  constructor(readonly text: string) {}
}

const num = (v: unknown): number | undefined => (typeof v === "number" && v > 0 ? v : undefined);

/** Total characters of the prompt's strings and the text of its last message/item (for `N words`). */
const promptScan = (body: JsonObject): { chars: number; last: string } => {
  let chars = 0;
  let last = "";
  const stack: unknown[] = [body.messages, body.prompt, body.input];
  let steps = 0;
  while (stack.length > 0 && steps++ < 100_000) {
    const v = stack.pop();
    if (typeof v === "string") {
      chars += v.length;
      if (last === "") last = v;
    } else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (isObject(v)) for (const x of Object.values(v)) stack.push(x);
  }
  return { chars, last };
};

/**
 * Whether a built-in generation is too big for the event loop: the output it asks for (`max_tokens` or an
 * `N words` prompt, times `n`), a long prompt, or many embedding inputs. Cheap: a scan of the prompt's strings.
 */
export const isHeavyGeneration = (body: JsonObject): boolean => {
  if (Array.isArray(body.input) && body.input.length > HEAVY_INPUTS) return true;
  const { chars, last } = promptScan(body);
  if (chars > HEAVY_PROMPT_CHARS) return true;
  const n = num(body.n) ?? 1;
  const asked =
    num(body.max_tokens) ?? num(body.max_completion_tokens) ?? num(body.max_output_tokens) ?? undefined;
  const words = N_WORDS.exec(last);
  const output = Math.min(asked ?? Number.POSITIVE_INFINITY, words ? Number(words[1]) : 1000);
  return output * n > HEAVY_OUTPUT_TOKENS;
};

interface Pending {
  task: WorkerTask;
  resolve(a: WorkerAnswer): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** The worker: the built file, or from the sources (tests, tsx) the .ts file with tsx's loader registered first. */
const startWorker = (): Worker => {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./engine-worker.js", import.meta.url));
  const source = new URL("./engine-worker.ts", import.meta.url).href;
  // tsx is a dev tool, present only where the sources run; the built package never takes this branch.
  const tsxApi = JSON.stringify(["tsx", "esm", "api"].join("/"));
  return new Worker(
    `import(${tsxApi}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`,
    { eval: true },
  );
};

/**
 * One worker thread, created on first use and unref'd (it never keeps the process alive), running heavy
 * generations one at a time. A caller that goes away drops its queued task, or terminates the worker if its task
 * is the one running (a fresh worker takes the rest of the queue).
 */
class EnginePool {
  private worker: Worker | undefined;
  private running: Pending | undefined;
  private readonly queue: Pending[] = [];
  private seq = 0;

  run(
    handler: string,
    body: JsonObject,
    model: EngineModel,
    route: EngineRoute,
    signal?: AbortSignal,
  ): Promise<WorkerAnswer> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new ApiError(499, "CANCELLED", "The client closed the request."));
      const p: Pending = { task: { id: ++this.seq, handler, body, model, route }, resolve, reject, signal };
      p.onAbort = () => this.cancel(p);
      signal?.addEventListener("abort", p.onAbort, { once: true });
      this.queue.push(p);
      this.next();
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    w.unref();
    w.on("message", (a: WorkerAnswer) => {
      const p = this.running;
      if (!p || p.task.id !== a.id) return;
      this.finish(p);
      p.resolve(a);
      this.next();
    });
    w.on("error", (err) => this.crashed(w, err));
    w.on("exit", () => this.crashed(w, new Error("engine worker exited")));
    this.worker = w;
    return w;
  }

  private crashed(w: Worker, err: unknown): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const p = this.running;
    if (p) {
      this.finish(p);
      p.reject(err);
    }
    this.next();
  }

  private finish(p: Pending): void {
    if (this.running === p) this.running = undefined;
    if (p.onAbort) p.signal?.removeEventListener("abort", p.onAbort);
  }

  private next(): void {
    if (this.running) return;
    const p = this.queue.shift();
    if (!p) return;
    this.running = p;
    this.ensureWorker().postMessage(p.task);
  }

  private cancel(p: Pending): void {
    const cancelled = new ApiError(499, "CANCELLED", "The client closed the request.");
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      p.reject(cancelled);
      return;
    }
    if (this.running === p) {
      const w = this.worker;
      this.worker = undefined;
      this.finish(p);
      p.reject(cancelled);
      void w?.terminate();
      this.next();
    }
  }
}

const pool = new EnginePool();

export type OffloadedOutcome = { kind: "json"; body: SerializedJson } | { kind: "stream"; events: string[] };

/**
 * Runs a built-in engine handler on the worker thread; resolves with the serialized answer or rejects with the
 * engine's own ApiError (status, code, message), so callers see exactly what the inline engine would answer.
 */
export const runOffloaded = async (
  handler: EngineHandler,
  body: JsonObject,
  model: EngineModel,
  route: EngineRoute,
  signal?: AbortSignal,
): Promise<OffloadedOutcome> => {
  const name = handlerName(handler);
  if (!name) throw new Error("runOffloaded: not a built-in engine handler");
  const a = await pool.run(name, body, model, route, signal);
  if (a.kind === "json") return { kind: "json", body: new SerializedJson(a.text) };
  if (a.kind === "stream") return { kind: "stream", events: a.events };
  if (a.status === 500) throw new Error("engine failed in the worker");
  throw new ApiError(a.status, a.errorCode, a.message, a.headers ? { headers: a.headers } : {});
};
