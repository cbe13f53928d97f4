// Child process of the memory suite (run with --expose-gc): invokes our ChatDatabricks N times against the target
// given in BENCH_MEMORY and prints heapUsed after a full GC at every tenth of the run, as one JSON line.
import { ourChatModel } from "./chat-subjects.js";
import type { Target } from "./types.js";

interface Job {
  url: string;
  token: string;
  chatEndpoint: string;
  invokes: number;
  concurrency: number;
}

const job = JSON.parse(process.env.BENCH_MEMORY ?? "{}") as Job;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("memory-child must run with --expose-gc");

function heapAfterGc(): number {
  // Several passes: one collection can leave garbage reachable only from objects freed in the same pass.
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const target: Target = {
  kind: "emulator",
  url: job.url,
  token: job.token,
  chatEndpoint: job.chatEndpoint,
  embeddingEndpoint: "",
  close: async () => undefined,
};
const model = await ourChatModel(target);
if (!model.ok) throw new Error(model.reason);
const step = Math.max(1, Math.floor(job.invokes / 10));
const checkpoints: { invokes: number; heapUsed: number }[] = [];
let done = 0;
while (done < job.invokes) {
  const stop = Math.min(job.invokes, done + step);
  let next = done;
  const worker = async (): Promise<void> => {
    while (next < stop) {
      next++;
      await model.value.invoke("Say hello.");
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  done = stop;
  checkpoints.push({ invokes: done, heapUsed: heapAfterGc() });
}
console.log(JSON.stringify({ checkpoints }));
