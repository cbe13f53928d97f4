/**
 * Worker thread that runs heavy built-in generations (see offload/offload.ts): the engine is the same pure
 * function the main thread would run; the answer comes back already serialized (a JSON text, or the stream's
 * event payloads), so the main thread never stringifies megabytes either.
 */
import { parentPort } from "node:worker_threads";
import type { EngineModel, EngineRoute } from "../engines/index.js";
import { warmTokenizer } from "../engines/index.js";
import { ApiError } from "../errors.js";
import { HANDLERS } from "./handlers.js";

export interface WorkerTask {
  id: number;
  handler: string;
  body: Record<string, unknown>;
  model: EngineModel;
  route: EngineRoute;
}

export type WorkerAnswer =
  | { id: number; kind: "json"; text: string }
  | { id: number; kind: "stream"; events: string[] }
  | {
      id: number;
      kind: "error";
      status: number;
      errorCode: string | number;
      message: string;
      headers?: Record<string, string>;
    };

warmTokenizer();

parentPort?.on("message", async (task: WorkerTask) => {
  let answer: WorkerAnswer;
  try {
    const handler = HANDLERS[task.handler];
    if (!handler) throw new Error(`unknown engine handler ${task.handler}`);
    const result = handler(task.body, task.model, task.route);
    if (result.kind === "json") {
      answer = { id: task.id, kind: "json", text: JSON.stringify(result.body) };
    } else {
      const events: string[] = [];
      for await (const e of result.events) events.push(JSON.stringify(e));
      answer = { id: task.id, kind: "stream", events };
    }
  } catch (err) {
    answer =
      err instanceof ApiError
        ? {
            id: task.id,
            kind: "error",
            status: err.status,
            errorCode: err.errorCode,
            message: err.message,
            headers: err.extra.headers,
          }
        : { id: task.id, kind: "error", status: 500, errorCode: "INTERNAL_ERROR", message: "" };
  }
  parentPort?.postMessage(answer);
});
