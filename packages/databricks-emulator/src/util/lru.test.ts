import { describe, expect, it } from "vitest";
import { ApproxLru } from "./lru.js";

describe("ApproxLru", () => {
  it("never holds more than its limit and evicts the oldest untouched entry first", () => {
    const lru = new ApproxLru<number, string>(4);
    for (let i = 0; i < 10; i++) lru.set(i, `v${i}`);
    expect(lru.size).toBe(4);
    expect([0, 5].map((k) => lru.get(k))).toEqual([undefined, undefined]);
    expect([6, 7, 8, 9].map((k) => lru.get(k))).toEqual(["v6", "v7", "v8", "v9"]);
  });

  it("keeps a key that is read often even while many others stream through", () => {
    const lru = new ApproxLru<string, number>(8);
    lru.set("hot", 1);
    for (let i = 0; i < 100; i++) {
      lru.set(`cold${i}`, i);
      expect(lru.get("hot"), `after ${i} cold keys`).toBe(1);
    }
    expect(lru.size).toBe(8);
  });

  it("replaces a value set twice without growing", () => {
    const lru = new ApproxLru<string, number>(2);
    lru.set("a", 1);
    lru.set("a", 2);
    expect(lru.size).toBe(1);
    expect(lru.get("a")).toBe(2);
    expect(() => new ApproxLru(0)).toThrow(RangeError);
  });
});
