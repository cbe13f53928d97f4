/** Who is calling: a user (PAT) or a service principal (OAuth M2M). */
export interface Identity {
  kind: "user" | "service-principal";
  /** User email, or the service principal's application (client) id. */
  name: string;
  displayName: string;
  /** Group names; every principal is in `users`, admins are also in `admins`. */
  groups: string[];
  admin: boolean;
}

export const DEFAULT_ADMIN = "admin@emulator.local";

export const makeIdentity = (
  kind: Identity["kind"],
  name: string,
  opts: { displayName?: string; groups?: string[]; admin?: boolean } = {},
): Identity => {
  const admin = opts.admin ?? false;
  const groups = new Set(["users", ...(opts.groups ?? [])]);
  if (admin) groups.add("admins");
  return {
    kind,
    name,
    displayName: opts.displayName ?? name,
    groups: [...groups],
    admin: admin || groups.has("admins"),
  };
};

/** Every principal name an ACL entry may match for this identity (itself plus its groups). */
export const principalNames = (id: Identity): string[] => [id.name, ...id.groups];
