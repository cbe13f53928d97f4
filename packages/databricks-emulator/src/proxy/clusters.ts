import type { ClusterAclEntry } from "./cluster-acl.js";

export const DEFAULT_CLUSTER_ID = "0000-000000-emulator";

const CLUSTER_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Clusters whose driver proxy is reachable, with their ACLs; the default cluster always exists. */
export class ClusterRegistry {
  private readonly ids = new Set<string>([DEFAULT_CLUSTER_ID]);
  private readonly acls = new Map<string, ClusterAclEntry[]>();

  constructor(
    private readonly onChange: () => void,
    initial: string[] = [],
    acls: Record<string, ClusterAclEntry[]> = {},
  ) {
    for (const id of initial) this.add(id, false);
    for (const [id, acl] of Object.entries(acls)) if (this.ids.has(id)) this.acls.set(id, [...acl]);
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

  /** Back to exactly `ids` and `acls` plus the default cluster (rollback of a failed save). */
  restore(ids: string[], acls: Record<string, ClusterAclEntry[]> = {}): void {
    this.ids.clear();
    this.ids.add(DEFAULT_CLUSTER_ID);
    for (const id of ids) this.ids.add(id);
    this.acls.clear();
    for (const [id, acl] of Object.entries(acls)) this.acls.set(id, [...acl]);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  list(): string[] {
    return [...this.ids];
  }

  acl(id: string): ClusterAclEntry[] {
    return this.acls.get(id) ?? [];
  }

  setAcl(id: string, acl: ClusterAclEntry[], persist = true): void {
    this.acls.set(id, acl);
    if (persist) this.onChange();
  }

  aclSnapshot(): Record<string, ClusterAclEntry[]> {
    return Object.fromEntries([...this.acls].map(([id, acl]) => [id, acl.map((a) => ({ ...a }))]));
  }
}
