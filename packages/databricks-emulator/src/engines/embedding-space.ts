/**
 * The embedding engine's arithmetic: text -> features -> sum of weighted dense directions -> unit vector.
 * The features of a text are its words (weight 1) and the character trigrams of its lower-cased,
 * space-normalised stream (weight 0.5); each contributes weight x its direction in the model's space
 * (`feature_vectors.ts`). Words and sub-words shared by two texts raise their cosine similarity; unrelated texts
 * score near 0.
 */
import { ApproxLru } from "../util/lru.js";
import { featureVector } from "./feature-vectors.js";

const WORD_WEIGHT = 1;
const TRIGRAM_WEIGHT = 0.5;

/** Word chunks kept (see `wordChunk`): float32, so 8 MiB at 1024 dims. */
export const CHUNK_CACHE_LIMIT = 2048;

let scratch = new Float64Array(1024);
/** Per text: distinct words with their counts, and the word-boundary trigrams with their summed weights. */
const words = new Map<string, number>();
const boundaries = new Map<number, number>();
const chunks = new ApproxLru<string, Float32Array>(CHUNK_CACHE_LIMIT);
let chunkSum = new Float64Array(1024);
let scratchA = new Float32Array(1024);
let scratchB = new Float32Array(1024);
let flip = false;
/** Words seen once (keys only): a chunk is built on the second sighting. */
const seenOnce = new ApproxLru<string, true>(4 * CHUNK_CACHE_LIMIT);

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 32;

const isWordChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 127;

const trigramHash = (a: number, b: number, c: number): number => ((a * 31 + b) * 31 + c) ^ 0x5bd1e995;

/**
 * acc += wa * a + wb * b (b optional). Multiply-adds over the dimensions are the engine's whole cost, so callers
 * feed two vectors per pass and the loop takes four dimensions per step: about twice as fast in V8 as one vector
 * and one dimension at a time.
 */
const accumulate = (
  acc: Float64Array,
  dims: number,
  a: Float32Array,
  wa: number,
  b: Float32Array | undefined,
  wb: number,
): void => {
  if (!b) {
    for (let i = 0; i < dims; i++) acc[i] = (acc[i] as number) + wa * (a[i] as number);
    return;
  }
  const tail = dims - (dims % 4);
  let i = 0;
  for (; i < tail; i += 4) {
    acc[i] = (acc[i] as number) + wa * (a[i] as number) + wb * (b[i] as number);
    acc[i + 1] = (acc[i + 1] as number) + wa * (a[i + 1] as number) + wb * (b[i + 1] as number);
    acc[i + 2] = (acc[i + 2] as number) + wa * (a[i + 2] as number) + wb * (b[i + 2] as number);
    acc[i + 3] = (acc[i + 3] as number) + wa * (a[i + 3] as number) + wb * (b[i + 3] as number);
  }
  for (; i < dims; i++) acc[i] = (acc[i] as number) + wa * (a[i] as number) + wb * (b[i] as number);
};

/** Feeds (vector, weight) pairs to `accumulate` two at a time; `flush` adds a left-over single one. */
class PairSum {
  private held: Float32Array | undefined;
  private heldWeight = 0;
  constructor(
    private readonly acc: Float64Array,
    private readonly dims: number,
  ) {}
  add(v: Float32Array, w: number): void {
    if (!this.held) {
      this.held = v;
      this.heldWeight = w;
      return;
    }
    accumulate(this.acc, this.dims, this.held, this.heldWeight, v, w);
    this.held = undefined;
  }
  flush(): void {
    if (this.held) accumulate(this.acc, this.dims, this.held, this.heldWeight, undefined, 0);
    this.held = undefined;
  }
}

/** Adds the features of `word` itself (its word feature and every trigram but the first) to `sum`. */
const addWordFeatures = (sum: PairSum, word: string, seed: number, dims: number): void => {
  let hash = FNV_OFFSET;
  let p2 = SPACE;
  let p1 = SPACE;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    hash = Math.imul(hash ^ c, FNV_PRIME);
    // The first character's trigram reaches into the previous word: it is a boundary, not the word's own.
    if (i > 0) sum.add(featureVector(trigramHash(p2, p1, c), seed, dims), TRIGRAM_WEIGHT);
    p2 = p1;
    p1 = c;
  }
  sum.add(featureVector(trigramHash(p2, p1, SPACE), seed, dims), TRIGRAM_WEIGHT);
  sum.add(featureVector(hash, seed, dims), WORD_WEIGHT);
};

/**
 * The features of a text are its words (weight 1) and the trigrams of its space-normalised stream (weight 0.5).
 * Every trigram but the one that starts a word lies inside a single word (with its leading or trailing space),
 * so the sum over one word's own features, its chunk, is the same wherever the word occurs: a text of k known
 * words costs about 2k dense additions instead of one per character. Chunks are kept from a word's second
 * sighting on (one-off words such as ids would only churn the cache).
 *
 * Determinism: a chunk is always computed the same way (float64 sum in character order, stored as float32)
 * whether it then goes to the cache or to a scratch buffer, so a text embeds identically whatever the cache holds.
 */
const wordChunk = (word: string, seed: number, dims: number): Float32Array => {
  const key = `${seed}:${dims}:${word}`;
  const hit = chunks.get(key);
  if (hit) return hit;
  const admit = seenOnce.get(key) === true;
  if (!admit) seenOnce.set(key, true);
  if (chunkSum.length < dims) chunkSum = new Float64Array(dims);
  chunkSum.fill(0, 0, dims);
  const own = new PairSum(chunkSum, dims);
  addWordFeatures(own, word, seed, dims);
  own.flush();
  // Not kept: alternate two scratch buffers, because the caller's PairSum may still hold the previous one.
  flip = !flip;
  const out = admit ? new Float32Array(dims) : flip ? scratchA : scratchB;
  for (let i = 0; i < dims; i++) out[i] = chunkSum[i] as number;
  if (admit) chunks.set(key, out);
  return out;
};

/**
 * Splits `text` into `words` and `boundaries` (both cleared first) and returns an approximate token count.
 * Text is lower-cased; runs of non-word characters act as a single space for the trigrams, so " pa" / "ari" /
 * "is " are features of "Paris", and "s p" of "is paris" (a boundary trigram).
 */
const splitText = (text: string): number => {
  words.clear();
  boundaries.clear();
  const s = text.toLowerCase();
  let p1 = SPACE;
  let p2 = SPACE;
  let start = -1;
  let tokens = 0;
  const n = s.length;
  for (let i = 0; i <= n; i++) {
    const raw = i < n ? s.charCodeAt(i) : SPACE;
    if (isWordChar(raw)) {
      if (start < 0) {
        start = i;
        const h = trigramHash(p2, SPACE, raw) >>> 0;
        boundaries.set(h, (boundaries.get(h) ?? 0) + TRIGRAM_WEIGHT);
      }
      p2 = p1;
      p1 = raw;
      continue;
    }
    if (start >= 0) {
      const w = s.slice(start, i);
      words.set(w, (words.get(w) ?? 0) + 1);
      tokens++;
      start = -1;
    }
    if (raw !== 32 && raw !== 9 && raw !== 10 && raw !== 13) tokens++;
    p2 = p1;
    p1 = SPACE;
  }
  return Math.max(1, tokens);
};

/**
 * L2-normalised embedding of `text` with `dims` dimensions in the space of the model whose seed is `seed`
 * (`modelSeed(modelName)`), plus its approximate token count. Equal to normalising the sum over the text's
 * features of weight x `featureVector(feature)` (the chunks only regroup that sum).
 */
export const embedText = (text: string, dims: number, seed: number): { vector: number[]; tokens: number } => {
  if (scratch.length < dims) scratch = new Float64Array(dims);
  if (scratchA.length !== dims) {
    scratchA = new Float32Array(dims);
    scratchB = new Float32Array(dims);
  }
  const acc = scratch;
  acc.fill(0, 0, dims);
  const tokens = splitText(text);
  const sum = new PairSum(acc, dims);
  for (const [word, count] of words) sum.add(wordChunk(word, seed, dims), count);
  for (const [hash, weight] of boundaries) sum.add(featureVector(hash, seed, dims), weight);
  sum.flush();
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const v = acc[i] as number;
    norm += v * v;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const vector: number[] = new Array(dims);
  for (let i = 0; i < dims; i++) {
    // 7 decimals: plenty for cosine similarity, and about half the JSON size of full doubles.
    vector[i] = Math.round((acc[i] as number) * inv * 1e7) / 1e7;
  }
  return { vector, tokens };
};
