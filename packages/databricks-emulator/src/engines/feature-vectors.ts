/**
 * The random projection behind the embedding engine: every hashed text feature (a word or a character trigram)
 * maps to its own dense pseudo-random direction, uniform in [-1, 1] in every dimension. Summing the weighted
 * directions of a text's features gives a dense vector whose cosine with another text's vector tracks how much
 * weight they share (random directions in 1024 dimensions are nearly orthogonal): the similarity of a hashed
 * bag of n-grams, without the tell-tale zeros of hashing into buckets.
 *
 * A direction is keyed by `mix(featureHash ^ modelSeed)`, so each model (gte, bge, ...) has its own space and the
 * same text embeds differently per model, as with real models. Generating one costs `dims` PRNG steps, so the
 * most recently used are cached (at most FEATURE_CACHE_LIMIT, float32: 16 MiB at 1024 dims; float32 also halves
 * the memory traffic of the accumulation loop, which reads thousands of different vectors).
 */
import { ApproxLru } from "../util/lru.js";

export const FEATURE_CACHE_LIMIT = 4096;

// Keyed by the PRNG seed as an int32 (a small integer for V8); the rare same-seed request at another dimension
// count simply regenerates and replaces the entry.
const cache = new ApproxLru<number, Float32Array>(FEATURE_CACHE_LIMIT);

/** Murmur3 finaliser: spreads a 32-bit hash so nearby inputs get unrelated outputs. */
export const mix = (h0: number): number => {
  let h = h0 ^ (h0 >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/** FNV-1a of a string, mixed: the per-model seed derived from the model name. */
export const modelSeed = (name: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return mix(h >>> 0);
};

/** Mulberry32: a fast 32-bit PRNG with good equidistribution, plenty for a random projection. */
const fill = (seed: number, out: Float32Array): void => {
  let a = seed | 0;
  for (let i = 0; i < out.length; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
  }
};

/**
 * The dense direction of one feature in one model's space: deterministic in (`featureHash`, `seed`, `dims`).
 * Callers must not modify the returned array (it is shared through the cache).
 */
export const featureVector = (featureHash: number, seed: number, dims: number): Float32Array => {
  const prngSeed = mix((featureHash ^ seed) >>> 0) | 0;
  const hit = cache.get(prngSeed);
  if (hit && hit.length === dims) return hit;
  const v = new Float32Array(dims);
  fill(prngSeed, v);
  cache.set(prngSeed, v);
  return v;
};

/** Number of cached directions (for tests of the bound). */
export const featureCacheSize = (): number => cache.size;
