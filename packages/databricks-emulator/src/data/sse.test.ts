import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { drainedOrClosed } from "./sse.js";

describe("drainedOrClosed", () => {
  it("leaves no listener behind, however many backpressure waits a long stream has", async () => {
    const res = new EventEmitter();
    for (let i = 0; i < 50; i++) {
      const wait = drainedOrClosed(res as unknown as ServerResponse);
      res.emit("drain");
      await wait;
    }
    expect(res.listenerCount("close")).toBe(0);
    expect(res.listenerCount("drain")).toBe(0);
  });

  it("a client that goes away ends the wait too", async () => {
    const res = new EventEmitter();
    const wait = drainedOrClosed(res as unknown as ServerResponse);
    res.emit("close");
    await wait;
    expect(res.listenerCount("drain")).toBe(0);
  });
});
