import { describe, expect, it } from "vitest";
import { REDACTED, redactError, redactSecrets, tokenOf } from "./redact.js";

describe("redactSecrets edge cases", () => {
  it("skips undefined and too-short secrets (ordinary text stays intact)", () => {
    expect(redactSecrets("the cat sat", [undefined, "", "cat"])).toBe("the cat sat");
  });

  it("removes the URL-encoded form of a secret with reserved characters", () => {
    const secret = "p@ss/word+=&1";
    const text = `login?pw=${encodeURIComponent(secret)} and raw ${secret}`;
    const out = redactSecrets(text, [secret]);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).toContain(REDACTED);
  });

  it("a secret too short for a base64 run is still removed by value", () => {
    expect(redactSecrets("key abcdef!", ["abcdef"])).toBe(`key ${REDACTED}!`);
  });
});

describe("tokenOf", () => {
  it("takes the credential after the scheme, or the whole value without one", () => {
    expect(tokenOf("Bearer dapi123")).toBe("dapi123");
    expect(tokenOf("dapi123")).toBe("dapi123");
  });
});

describe("redactError edge cases", () => {
  it("leaves a frozen error alone, skips non-string fields, and stops at a non-object cause", () => {
    const secret = "dapi-frozen-secret-123";
    const frozen = Object.freeze(new Error(`token ${secret}`));
    expect(redactError(frozen, [secret]).message).toBe(`token ${secret}`);
    const odd = { message: 42, stack: undefined, cause: "plain string" };
    expect(redactError(odd, [secret])).toEqual({ message: 42, stack: undefined, cause: "plain string" });
    const clean = new Error("nothing to hide");
    expect(redactError(clean, [secret]).message).toBe("nothing to hide");
  });
});
