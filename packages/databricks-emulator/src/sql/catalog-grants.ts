/**
 * Unity Catalog grants (spec/sql.md "Unity Catalog"): privilege checks down the catalog -> schema -> object
 * chain (direct grants, ALL_PRIVILEGES, ownership, admin) and grant updates, over the durable state snapshot.
 */
import type { Identity } from "../auth/identity.js";
import { principalNames } from "../auth/identity.js";
import type { Privilege, SecurableType, SqlStateSnapshot } from "./catalog-types.js";

/** The owner of an object, by lower-cased key. */
const ownerOf = (state: SqlStateSnapshot, type: SecurableType, key: string): string | undefined => {
  if (type === "catalog") return state.catalogs[key]?.owner;
  if (type === "schema") return state.schemas[key]?.owner;
  if (type === "table") return state.tables[key]?.owner;
  return (state.functions[key]?.info.owner as string | undefined) ?? undefined;
};

/** Whether `id` holds `priv` on the object (directly, through ALL_PRIVILEGES, a parent, ownership or admin). */
export const hasPrivilege = (
  state: SqlStateSnapshot,
  id: Identity,
  type: SecurableType,
  fullName: string,
  priv: Privilege,
): boolean => {
  if (id.admin) return true;
  const parts = fullName.split(".").map((p) => p.toLowerCase());
  const names = new Set(principalNames(id));
  const chain: [SecurableType, string][] = [["catalog", parts[0]!]];
  if (parts.length >= 2) chain.push(["schema", parts.slice(0, 2).join(".")]);
  if (parts.length >= 3) chain.push([type, parts.join(".")]);
  for (const [t, key] of chain) {
    const owner = ownerOf(state, t, key);
    if (owner && names.has(owner)) return true;
    const g = state.grants[`${t}:${key}`] ?? {};
    for (const [p, privs] of Object.entries(g)) {
      if (names.has(p) && (privs.includes(priv) || privs.includes("ALL_PRIVILEGES"))) return true;
    }
  }
  return false;
};

export interface GrantChange {
  principal: string;
  add?: Privilege[];
  remove?: Privilege[];
}

/** `current` with the changes applied (principals left with no privilege are dropped; lists sorted). */
export const applyGrantChanges = (
  current: Record<string, Privilege[]>,
  changes: GrantChange[],
): Record<string, Privilege[]> => {
  const cur = { ...current };
  for (const ch of changes) {
    const set = new Set(cur[ch.principal] ?? []);
    for (const p of ch.add ?? []) set.add(p);
    for (const p of ch.remove ?? []) set.delete(p);
    if (set.size === 0) delete cur[ch.principal];
    else cur[ch.principal] = [...set].sort();
  }
  return cur;
};
