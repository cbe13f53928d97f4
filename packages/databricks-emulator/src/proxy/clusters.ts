export const DEFAULT_CLUSTER_ID = "0000-000000-emulator";

const CLUSTER_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Clusters whose driver proxy is reachable; the default cluster always exists. */
export class ClusterRegistry {
  private readonly ids = new Set<string>([DEFAULT_CLUSTER_ID]);

  constructor(
    private readonly onChange: () => void,
    initial: string[] = [],
  ) {
    for (const id of initial) this.add(id, false);
  }

  add(id: string, persist = true): void {
    if (typeof id !== "string" || !CLUSTER_RE.test(id)) {
      throw new TypeError(
        `Invalid cluster id ${JSON.stringify(id)}: use letters, digits, '-', '_' or '.', e.g. 0123-456789-abcdefgh.`,
      );
    }
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (persist) this.onChange();
  }

  /** Back to exactly `ids` plus the default cluster (rollback of a failed save). */
  restore(ids: string[]): void {
    this.ids.clear();
    this.ids.add(DEFAULT_CLUSTER_ID);
    for (const id of ids) this.ids.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  list(): string[] {
    return [...this.ids];
  }
}
