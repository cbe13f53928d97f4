import { type EmulatorOptions, startEmulator } from "databricks-emulator";
import { afterAll, beforeAll } from "vitest";

export type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/**
 * One emulator for the whole test file: started in `beforeAll` (on a random port unless `options` say otherwise),
 * closed in `afterAll`. Read `h.emu` inside tests and hooks (the same shape as the emulator package's
 * `useEmulator` in packages/databricks-emulator/test-support/conformance.ts).
 */
export function useEmulator(options: EmulatorOptions = {}): { readonly emu: Emulator } {
  let current: Emulator | undefined;
  beforeAll(async () => {
    current = await startEmulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await current?.close();
  });
  return {
    get emu(): Emulator {
      if (!current) throw new Error("emulator not started: use the handle inside it()/beforeAll()");
      return current;
    },
  };
}
