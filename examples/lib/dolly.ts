/**
 * A deterministic stand-in for the seed's `dolly` model (databricks/dolly-v2-3b), used offline both as the
 * custom model behind the `dolly` serving endpoint and as the function served by the driver proxy app.
 *
 * It honours the seed's contract: input `prompt` (string) and `stop` (list of strings), output a string.
 * The replies are the ones the seed page shows; which one is picked depends only on the request (prompt
 * language, a "be concise" instruction, a low `temperature`), so runs are reproducible. Stop sequences are
 * honoured for real: the reply is cut before the first stop sequence it contains.
 */
const REPLIES = {
  en: {
    plain: "Good. I am happy to hear that you are in good health and as always, you are appreciated.",
    lowTemperature: "I am fine.",
    concise: "I am fine. Thank you!",
  },
  zh: {
    plain: "你好，谢谢你的关心。听到你过得很好真是太棒了。",
    lowTemperature: "我很好。很高兴见到你。",
    concise: "我很好，谢谢你。",
  },
} as const;

/** Extra request fields the model understands (anything else is ignored, like a pyfunc's unused params). */
export interface DollyParams {
  temperature?: unknown;
}

export function dolly(prompt: string, stop: readonly string[] = [], params: DollyParams = {}): string {
  // The language of the question (its first line), not of an instruction a prompt template appended.
  const question = prompt.trimStart().split("\n")[0] ?? "";
  const replies = /[\u3400-\u9fff]/.test(question) ? REPLIES.zh : REPLIES.en;
  let reply: string = replies.plain;
  if (/be concise|言简意赅/i.test(prompt)) reply = replies.concise;
  else if (typeof params.temperature === "number" && params.temperature < 0.5) reply = replies.lowTemperature;
  return cutAtStop(reply, stop);
}

/** Cuts `text` before the earliest occurrence of any stop sequence (empty sequences are ignored). */
export function cutAtStop(text: string, stop: readonly string[]): string {
  let end = text.length;
  for (const s of stop) {
    if (!s) continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

function stopList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((s) => typeof s === "string")) return value;
  throw new TypeError('"stop" must be a list of strings');
}

/**
 * The emulator's custom-model form (`startEmulator({ models: { dolly: dollyModel } })`): one prediction per
 * record, with the MLflow signature the seed documents.
 */
export const dollyModel = {
  signature: {
    inputs: [
      { name: "prompt", type: "string" },
      { name: "stop", type: "list[string]" },
    ],
    outputs: [{ type: "string" }],
  },
  predict(records: unknown): string[] {
    if (!Array.isArray(records)) throw new TypeError("dolly expects a list of records");
    return records.map((record: unknown) => {
      const r = (record ?? {}) as Record<string, unknown>;
      if (typeof r.prompt !== "string") throw new TypeError('each record needs a string "prompt"');
      return dolly(r.prompt, stopList(r.stop), r);
    });
  },
};
