/**
 * Token counting for the built-in engines with a real tokenizer (js-tiktoken, cl100k_base).
 * Building the BPE tables costs ~250 ms, so it happens once, on first use (or when the server calls
 * `warmTokenizer()` at start). Prompts repeat a lot in tests and benchmarks, so short strings are memoised
 * in a bounded cache: a repeated chat request then costs no tokenizer work at all.
 */
import { Tiktoken } from "js-tiktoken/lite";
import cl100kBase from "js-tiktoken/ranks/cl100k_base";

let encoder: Tiktoken | undefined;

const getEncoder = (): Tiktoken => {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder;
};

/** Builds the tokenizer tables now so the first request does not pay for it. */
export const warmTokenizer = (): void => {
  getEncoder();
};

const CACHE_LIMIT = 8192;
const CACHEABLE_LENGTH = 2048;
const cache = new Map<string, number>();

/** Number of cl100k_base tokens in `text`. */
export const countTokens = (text: string): number => {
  if (text.length === 0) return 0;
  if (text.length > CACHEABLE_LENGTH) return getEncoder().encode(text).length;
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const n = getEncoder().encode(text).length;
  // Dropping everything when full is crude but O(1) and keeps memory bounded.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, n);
  return n;
};

/** Cut texts by `maxTokens` then text: the same reply cut at the same `max_tokens` is a repeat, like prompts. */
const cuts = new Map<number, Map<string, string>>();
let cutCount = 0;

/** The longest prefix of `text` that is at most `maxTokens` tokens, and whether it was cut. */
export const truncateToTokens = (text: string, maxTokens: number): { text: string; truncated: boolean } => {
  if (countTokens(text) <= maxTokens) return { text, truncated: false };
  const cacheable = text.length <= CACHEABLE_LENGTH;
  const hit = cacheable ? cuts.get(maxTokens)?.get(text) : undefined;
  if (hit !== undefined) return { text: hit, truncated: true };
  const enc = getEncoder();
  const cut = enc.decode(enc.encode(text).slice(0, Math.max(0, maxTokens)));
  if (cacheable) {
    if (cutCount >= CACHE_LIMIT) {
      cuts.clear();
      cutCount = 0;
    }
    let byText = cuts.get(maxTokens);
    if (!byText) {
      byText = new Map();
      cuts.set(maxTokens, byText);
    }
    byText.set(text, cut);
    cutCount++;
  }
  return { text: cut, truncated: true };
};
