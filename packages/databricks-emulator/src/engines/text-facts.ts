/**
 * Facts pulled out of user text to fill tool arguments and structured output: numbers, quoted strings and
 * place-like capitalised phrases ("in Paris", "New York"). Each is consumed in order so that two properties
 * (origin/destination, a/b) get different values.
 */
export interface TextFacts {
  readonly text: string;
  readonly lower: string;
  numbers: number[];
  places: string[];
  quoted: string[];
}

const NUMBER = /-?\d+(?:\.\d+)?/g;
const QUOTED = /"([^"]+)"|“([^”]+)”|'([^']{2,})'/g;
const AFTER_PREPOSITION =
  /\b(?:in|at|for|from|to|near|of|about)\s+((?:[A-Z][\p{L}'-]*)(?:\s+[A-Z][\p{L}'-]*)*)/gu;
const CAPITALISED = /(?<![.!?]\s|^)\b([A-Z][\p{L}'-]+(?:\s+[A-Z][\p{L}'-]+)*)/gu;
const LOWER_PLACE = /\b(?:in|at|near)\s+([a-z][a-z'-]{2,})\b/g;
const NOT_PLACES = new Set([
  "I",
  "What",
  "How",
  "Please",
  "Tell",
  "Get",
  "Give",
  "Can",
  "Could",
  "Is",
  "The",
  "And",
  "JSON",
  "Return",
  "Respond",
  "Reply",
  "Give",
  "Extract",
]);

export const extractFacts = (text: string): TextFacts => {
  const numbers: number[] = [];
  for (const m of text.matchAll(NUMBER)) numbers.push(Number(m[0]));
  const quoted: string[] = [];
  for (const m of text.matchAll(QUOTED)) quoted.push(m[1] ?? m[2] ?? m[3] ?? "");
  const places: string[] = [];
  const add = (p: string) => {
    if (!NOT_PLACES.has(p) && !places.includes(p)) places.push(p);
  };
  for (const m of text.matchAll(AFTER_PREPOSITION)) add(m[1] ?? "");
  if (places.length === 0) for (const m of text.matchAll(CAPITALISED)) add(m[1] ?? "");
  if (places.length === 0) {
    for (const m of text.matchAll(LOWER_PLACE)) {
      const w = m[1] ?? "";
      add(w.charAt(0).toUpperCase() + w.slice(1));
    }
  }
  return { text, lower: text.toLowerCase(), numbers, places, quoted };
};

/** The text with surrounding whitespace and trailing sentence punctuation removed. */
export const cleanSentence = (text: string): string => text.trim().replace(/[\s.?!]+$/u, "");

/** Lower-case word stems (plural "s" dropped) for keyword matching. */
export const wordStems = (text: string): string[] => {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/[a-z0-9]+/g)) {
    const w = m[0];
    out.push(w.length > 3 && w.endsWith("s") ? w.slice(0, -1) : w);
  }
  return out;
};
