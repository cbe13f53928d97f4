import type { Persister } from "./persist.js";

/**
 * Makes every acknowledged write all-or-nothing with respect to `dataDir`: the stores mutate in memory, then call
 * the returned function, which serializes and saves the whole state. When collecting or saving fails (a full
 * disk, a state that no longer serializes), the stores are put back to the last state that was saved and the
 * error propagates, so the request answers 500 and memory never diverges from what a restart would load.
 * `restore` must copy what it is given (the same last-good state may be restored again later).
 */
export const createCommitter = <S>(
  persister: Persister,
  collect: () => S,
  restore: (state: S) => void,
): (() => void) => {
  let lastGood: S | undefined;
  return () => {
    if (!persister.enabled) return;
    try {
      const state = collect();
      persister.save(state);
      lastGood = state;
    } catch (err) {
      if (lastGood !== undefined) restore(lastGood);
      throw err;
    }
  };
};
