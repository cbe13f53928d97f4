/**
 * The deterministic "model": a reply computed from the conversation alone, so tests can predict it.
 * - trailing tool results -> an answer quoting them;
 * - `say "X"` / `repeat after me: X` / `reply with X` -> exactly X (handy to test stop sequences);
 * - `count to N` -> "1, 2, ..., N";
 * - `N words` -> N words of filler text; `long` -> a long text (up to max_tokens) for throughput benchmarks;
 * - a greeting -> a greeting;
 * - anything else -> a sentence echoing the last user message.
 */
import type { ChatMessage } from "./messages.js";

const MAX_WORDS = 200_000;
const DEFAULT_LONG_WORDS = 1000;
const ECHO_LIMIT = 400;

const FILLER = (
  "the quick brown fox jumps over the lazy dog while a local emulator streams deterministic tokens " +
  "so that clients can be tested offline with predictable output and stable usage counts across runs"
).split(" ");

/** `n` words of filler text, with a full stop every twelve words. */
export const fillerWords = (n: number): string => {
  const parts: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const w = FILLER[i % FILLER.length] as string;
    const word = i % 12 === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w;
    parts[i] = i % 12 === 11 || i === n - 1 ? `${word}.` : word;
  }
  return parts.join(" ");
};

const GREETING =
  /^\s*(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening))\b[\s!.,?]*(there)?[\s!.,?]*$/i;
const SAY =
  /^\s*(?:please\s+)?(?:say|repeat after me|reply with|respond with|answer with)\s*:?\s*(.+?)\s*$/is;
const COUNT = /\bcount (?:from 1 )?to (\d{1,5})\b/i;
const N_WORDS = /\b(\d{1,6})\s+words?\b/i;
const LONG = /\blong\b/i;

export interface ReplyOptions {
  maxTokens?: number;
}

const unquote = (s: string): string => {
  const m = /^["“'](.*)["”']\.?$/s.exec(s);
  return m ? (m[1] ?? "") : s;
};

/** Reply text for the last user turn (or the trailing tool results). */
export const composeReply = (messages: readonly ChatMessage[], opts: ReplyOptions = {}): string => {
  const last = messages[messages.length - 1];
  if (last?.role === "tool") return answerFromTools(messages);
  const user = lastUserText(messages);
  return replyToText(user, opts);
};

export const replyToText = (user: string, opts: ReplyOptions = {}): string => {
  const say = SAY.exec(user);
  if (say) return unquote(say[1] ?? "");
  const count = COUNT.exec(user);
  if (count) {
    const n = Math.min(Number(count[1]), 10_000);
    return Array.from({ length: n }, (_, i) => String(i + 1)).join(", ");
  }
  const words = N_WORDS.exec(user);
  if (words) return fillerWords(Math.max(1, Math.min(MAX_WORDS, Number(words[1]))));
  if (LONG.test(user)) {
    // One filler word is about one token, so max_tokens words reliably hit the limit (finish_reason "length").
    const n = opts.maxTokens !== undefined ? Math.min(MAX_WORDS, opts.maxTokens + 1) : DEFAULT_LONG_WORDS;
    return fillerWords(n);
  }
  if (GREETING.test(user)) return "Hello! How can I help you today?";
  if (user.trim().length === 0) return "I did not receive any text. What would you like to ask?";
  const echo = user.length > ECHO_LIMIT ? `${user.slice(0, ECHO_LIMIT)}...` : user;
  return `You said: "${echo.trim()}". This is a deterministic reply from the local Databricks emulator.`;
};

export const lastUserText = (messages: readonly ChatMessage[]): string => {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as ChatMessage;
    if (m.role === "user") return m.text;
  }
  return "";
};

/** "Based on the tool results: get_weather returned {...}." built from the trailing tool messages. */
const answerFromTools = (messages: readonly ChatMessage[]): string => {
  const names = new Map<string, string>();
  for (const m of messages) for (const tc of m.toolCalls) names.set(tc.id, tc.name);
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0 && (messages[i] as ChatMessage).role === "tool"; i--) {
    const m = messages[i] as ChatMessage;
    const name = names.get(m.toolCallId ?? "") ?? "the tool";
    const content = m.text.length > ECHO_LIMIT ? `${m.text.slice(0, ECHO_LIMIT)}...` : m.text;
    results.unshift(`${name} returned ${content.trim()}`);
  }
  return `Based on the tool results: ${results.join("; ")}.`;
};

/** Cuts `text` before the first occurrence of any stop sequence. */
export const applyStop = (text: string, stop: readonly string[]): { text: string; stopped: boolean } => {
  let cut = -1;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  return cut < 0 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
};

/** Word-level stream pieces: each piece is a word with the whitespace before it, like model deltas. */
export const streamPieces = (text: string): string[] => text.match(/\s*\S+|\s+$/g) ?? [];
