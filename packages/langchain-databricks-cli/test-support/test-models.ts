/** Test-only custom models for the emulator (not exported by the package). */

/** A ChatAgent that says how many user messages its request carried: shows what history the REPL keeps. */
export const counterAgent = {
  kind: "chat-agent" as const,
  predict: (body: unknown) => {
    const users = ((body as { messages?: { role: string }[] }).messages ?? []).filter(
      (m) => m.role === "user",
    );
    return { messages: [{ role: "assistant", content: `user messages: ${users.length}`, id: "m1" }] };
  },
};

/**
 * A ChatAgent whose answer to a message containing "slow" streams a word every 100 ms for 10 s (something to
 * interrupt mid-answer); other messages get one quick chunk.
 */
export const slowAgent = {
  kind: "chat-agent" as const,
  predict: () => ({ messages: [{ role: "assistant", content: "quick", id: "m1" }] }),
  async *predictStream(body: unknown) {
    const messages = (body as { messages?: { role: string; content: string }[] }).messages ?? [];
    const last = messages.filter((m) => m.role === "user").at(-1)?.content ?? "";
    if (!last.includes("slow")) {
      yield { delta: { role: "assistant", content: `quick answer to ${last}`, id: "m1" } };
      return;
    }
    for (let i = 0; i < 100; i++) {
      yield { delta: { role: "assistant", content: `w${i} `, id: "m1" } };
      await new Promise((r) => setTimeout(r, 100));
    }
  },
};
