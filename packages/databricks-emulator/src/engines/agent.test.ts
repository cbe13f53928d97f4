import { describe, expect, it } from "vitest";
import { apiError, jsonBody, streamEvents } from "../../test-support/engines.js";
import { runChatAgent } from "./agent.js";
import type { EngineModel } from "./contract.js";

const agent: EngineModel = { modelName: "my-agent", task: "agent/v1/chat", family: "agent" };
const messages = [{ role: "user", content: "hi" }];

describe("ChatAgent engine", () => {
  it("answers with assistant messages that carry ids, and echoes custom_inputs", () => {
    const body = jsonBody(runChatAgent({ messages, custom_inputs: { session: "s1" } }, agent, "invocations"));
    const out = body.messages as { role: string; content: string; id: string }[];
    expect(out).toHaveLength(1);
    expect(out[0]?.role).toBe("assistant");
    expect(out[0]?.content).toBe("Hello! How can I help you today?");
    expect(out[0]?.id).toMatch(/^msg_\w+$/);
    expect(body.custom_outputs).toEqual({ session: "s1" });
    expect(body).not.toHaveProperty("choices");
  });

  it("streams delta chunks with one id, finishing with usage and custom_outputs", () => {
    const chunks = streamEvents(
      runChatAgent(
        {
          messages: [{ role: "user", content: "what is unity catalog" }],
          stream: true,
          custom_inputs: { k: 1 },
        },
        agent,
        "invocations",
      ),
    );
    const deltas = chunks.map((c) => c.delta as { content: string; id: string });
    expect(new Set(deltas.map((d) => d.id)).size).toBe(1);
    expect(deltas.map((d) => d.content).join("")).toContain("what is unity catalog");
    expect(chunks.at(-1)?.custom_outputs).toEqual({ k: 1 });
    expect(chunks.at(-1)?.finish_reason).toBe("stop");
    expect(chunks.slice(0, -1).some((c) => "custom_outputs" in c)).toBe(false);
  });

  it("rejects chat-completions-only fields and bad context", () => {
    expect(apiError(() => runChatAgent({ messages, temperature: 0.1 }, agent, "invocations")).message).toBe(
      'Bad request: json: unknown field "temperature"',
    );
    expect(
      apiError(() => runChatAgent({ messages, context: { conversation_id: 5 } }, agent, "invocations"))
        .status,
    ).toBe(400);
  });
});
