import { describe, expect, it } from "vitest";
import { featureVector, modelSeed } from "./feature-vectors.js";

describe("feature directions", () => {
  it("are dense, continuous, uniform in [-1, 1] and centred", () => {
    const v = featureVector(12345, modelSeed("gte-large-en-v1.5"), 4096);
    expect(v).toHaveLength(4096);
    expect(v.every((x) => x >= -1 && x < 1)).toBe(true);
    expect(new Set(v).size).toBeGreaterThan(4000);
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const meanSquare = v.reduce((s, x) => s + x * x, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(meanSquare).toBeGreaterThan(0.3); // uniform [-1, 1]: 1/3
    expect(meanSquare).toBeLessThan(0.37);
  });

  it("are deterministic per (feature, model seed, dims) and nearly orthogonal otherwise", () => {
    const seed = modelSeed("bge-large-en-v1.5");
    const a = Array.from(featureVector(1, seed, 1024));
    expect(Array.from(featureVector(1, seed, 1024))).toEqual(a);
    const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
      let s = 0;
      let nx = 0;
      let ny = 0;
      for (let i = 0; i < x.length; i++) {
        s += (x[i] as number) * (y[i] as number);
        nx += (x[i] as number) ** 2;
        ny += (y[i] as number) ** 2;
      }
      return s / Math.sqrt(nx * ny);
    };
    expect(Math.abs(dot(a, featureVector(2, seed, 1024)))).toBeLessThan(0.15);
    expect(Math.abs(dot(a, featureVector(1, modelSeed("gte-large-en-v1.5"), 1024)))).toBeLessThan(0.15);
    expect(featureVector(1, seed, 1536)).toHaveLength(1536);
    expect(featureVector(1, seed, 1024)).toHaveLength(1024);
  });

  it("derives different seeds for different model names", () => {
    expect(modelSeed("gte-large-en-v1.5")).not.toBe(modelSeed("bge-large-en-v1.5"));
    expect(modelSeed("x")).toBe(modelSeed("x"));
  });
});
