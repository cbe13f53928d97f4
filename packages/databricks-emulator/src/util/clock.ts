/**
 * The emulator clock: wall time plus an offset tests can advance, so token expiry, endpoint transitions and
 * rate-limit windows are testable without sleeping.
 */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advanceClock(ms) needs a finite ms >= 0, got ${ms}`);
    this.offsetMs += ms;
  }
}
