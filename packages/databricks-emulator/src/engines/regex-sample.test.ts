/**
 * sampleForPattern (engines/regex-sample.ts): the exact shortest sample for each supported construct (it must
 * also match the pattern), and undefined for what it does not support or cannot satisfy.
 */
import { describe, expect, it } from "vitest";
import { sampleForPattern } from "./regex-sample.js";

describe("sampleForPattern", () => {
  it.each([
    ["^\\d{5}$", 1, "00000"],
    ["^[A-Z]{2}-\\d+$", 1, "AA-0"],
    ["^(foo|bar)_[a-z]+$", 1, "foo_a"],
    ["^(?:ab)?c$", 1, "c"],
    ["^a*b$", 1, "b"],
    ["^x{2,}$", 4, "xxxx"],
    ["^x{2,3}?$", 1, "xx"],
    ["^y+?$", 1, "y"],
    ["^.\\w\\s\\D\\W\\S$", 1, "aa a-a"],
    ["^\\bword\\b$", 1, "word"],
    ["^a\\tb\\nc\\.$", 1, "a\tb\nc."],
    ["^[^a0A]$", 1, "_"],
    ["^[^\\d]$", 1, "a"],
    ["^[\\d\\s]$", 1, "0"],
    ["^[\\W]$", 1, "-"],
    ["^[\\--/]$", 1, "-"],
    ["^[a-]$", 1, "a"],
    ["^[\\t-\\r]$", 1, "\t"],
  ])("%s (prefer %i) -> %j", (pattern, prefer, sample) => {
    const got = sampleForPattern(pattern, prefer);
    expect(got).toBe(sample);
    expect(new RegExp(pattern, "u").test(got as string)).toBe(true);
  });

  it.each([
    ["^(?=a)a$", "lookahead"],
    ["^(a)\\1$", "backreference"],
    ["^\\p{L}$", "unicode property"],
    ["^(ab$", "unclosed group"],
    ["^[ab$", "unclosed class"],
    ["^a\\", "trailing backslash"],
    ["^[a-\\", "range end missing"],
    ["^[^ a0A_\\-x.]$", "negated class with no candidate left"],
    ["^a)$", "stray paren"],
    ["^[z-a]$", "invalid range (RegExp throws)"],
    ["^\\d$|^[^\\d\\D]x$", "a later branch with an unsatisfiable class"],
    ["^[]a]$", "an empty class then a lone ] (invalid with the u flag)"],
    ["^a{,2}$", "a lone brace (invalid with the u flag)"],
    ["^a\\B?$", "a quantified assertion (invalid with the u flag)"],
  ])("%s (%s) -> undefined", (pattern) => {
    expect(sampleForPattern(pattern)).toBeUndefined();
  });
});
