import { type Identity, principalNames } from "../auth/identity.js";
import { ApiError, invalidParameter, notFound, permissionDenied } from "../errors.js";
import type { Clock } from "../util/clock.js";

export type SecretPermission = "READ" | "WRITE" | "MANAGE";
const RANK: Record<SecretPermission, number> = { READ: 1, WRITE: 2, MANAGE: 3 };
export const isSecretPermission = (v: unknown): v is SecretPermission =>
  v === "READ" || v === "WRITE" || v === "MANAGE";

const NAME_RE = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_VALUE_BYTES = 128 * 1024;
const MAX_SECRETS = 1000;
const MAX_PRINCIPAL_LENGTH = 512;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

interface Secret {
  /** Stored bytes, base64-encoded (what `secrets/get` returns). */
  value: string;
  lastUpdated: number;
}

interface Scope {
  name: string;
  backendType: "DATABRICKS";
  secrets: Map<string, Secret>;
  acls: Map<string, SecretPermission>;
}

export interface SecretsSnapshot {
  scopes: { name: string; secrets: Record<string, Secret>; acls: Record<string, SecretPermission> }[];
}

/** Secret scopes, secrets and scope ACLs (spec/secrets.md 6) with MANAGE/WRITE/READ enforced per principal. */
export class SecretsStore {
  private readonly scopes = new Map<string, Scope>();

  constructor(
    private readonly clock: Clock,
    private readonly onChange: () => void,
    snapshot?: SecretsSnapshot,
    /** Looks a principal up by name, for resolving references on behalf of an endpoint's creator. */
    private readonly identityOf: (name: string) => Identity | undefined = () => undefined,
  ) {
    if (snapshot) this.restore(snapshot);
  }

  /** Replaces every scope with `snapshot`'s (copied); also the rollback of a failed save. */
  restore(snapshot: SecretsSnapshot): void {
    this.scopes.clear();
    for (const s of snapshot.scopes) {
      this.scopes.set(s.name, {
        name: s.name,
        backendType: "DATABRICKS",
        secrets: new Map(Object.entries(s.secrets)),
        acls: new Map(Object.entries(s.acls)),
      });
    }
  }

  createScope(caller: Identity, scope: unknown, initialManagePrincipal: unknown, backendType: unknown): void {
    const name = checkName(scope, "scope");
    if (backendType !== undefined && backendType !== "DATABRICKS") {
      throw invalidParameter(
        `Scope backend type ${String(backendType)} is not supported by the emulator; use DATABRICKS.`,
      );
    }
    if (initialManagePrincipal !== undefined && initialManagePrincipal !== "users") {
      throw invalidParameter(
        "initial_manage_principal must be 'users' (the only supported value) or omitted.",
      );
    }
    if (this.scopes.has(name)) {
      // Real workspaces answer HTTP 400 (not 409) with RESOURCE_ALREADY_EXISTS here.
      throw new ApiError(400, "RESOURCE_ALREADY_EXISTS", `Scope ${name} already exists!`);
    }
    const principal = initialManagePrincipal === "users" ? "users" : caller.name;
    this.scopes.set(name, {
      name,
      backendType: "DATABRICKS",
      secrets: new Map(),
      acls: new Map([[principal, "MANAGE"]]),
    });
    this.onChange();
  }

  listScopes(): { name: string; backend_type: string }[] {
    return [...this.scopes.values()].map((s) => ({ name: s.name, backend_type: s.backendType }));
  }

  deleteScope(caller: Identity, scope: unknown): void {
    const s = this.scopeFor(caller, scope, "MANAGE");
    this.scopes.delete(s.name);
    this.onChange();
  }

  put(caller: Identity, scope: unknown, key: unknown, stringValue: unknown, bytesValue: unknown): void {
    const s = this.scopeFor(caller, scope, "WRITE");
    const k = checkName(key, "key");
    if ((stringValue === undefined) === (bytesValue === undefined)) {
      throw invalidParameter("Exactly one of string_value or bytes_value must be specified.");
    }
    let value: string;
    if (stringValue !== undefined) {
      if (typeof stringValue !== "string") throw invalidParameter("string_value must be a string.");
      value = Buffer.from(stringValue, "utf8").toString("base64");
    } else {
      if (typeof bytesValue !== "string" || !BASE64_RE.test(bytesValue) || bytesValue.length % 4 === 1) {
        throw invalidParameter("bytes_value must be a base64-encoded string.");
      }
      value = bytesValue;
    }
    if (Buffer.byteLength(value, "base64") > MAX_VALUE_BYTES) {
      throw new ApiError(400, "RESOURCE_LIMIT_EXCEEDED", "Secret value is larger than the 128 KB limit.");
    }
    if (!s.secrets.has(k) && s.secrets.size >= MAX_SECRETS) {
      throw new ApiError(
        400,
        "RESOURCE_LIMIT_EXCEEDED",
        `Scope ${s.name} already holds ${MAX_SECRETS} secrets.`,
      );
    }
    s.secrets.set(k, { value, lastUpdated: this.clock.now() });
    this.onChange();
  }

  deleteSecret(caller: Identity, scope: unknown, key: unknown): void {
    const s = this.scopeFor(caller, scope, "WRITE");
    const k = checkName(key, "key");
    if (!s.secrets.delete(k)) throw notFound(`Secret ${k} does not exist in scope ${s.name}!`);
    this.onChange();
  }

  list(caller: Identity, scope: unknown): { key: string; last_updated_timestamp: number }[] {
    const s = this.scopeFor(caller, scope, "READ");
    return [...s.secrets.entries()].map(([key, v]) => ({ key, last_updated_timestamp: v.lastUpdated }));
  }

  get(caller: Identity, scope: unknown, key: unknown): { key: string; value: string } {
    const s = this.scopeFor(caller, scope, "READ");
    const k = checkName(key, "key");
    const secret = s.secrets.get(k);
    if (!secret) throw notFound(`Secret ${k} does not exist in scope ${s.name}!`);
    return { key: k, value: secret.value };
  }

  putAcl(caller: Identity, scope: unknown, principal: unknown, permission: unknown): void {
    const s = this.scopeFor(caller, scope, "MANAGE");
    const p = checkPrincipal(principal);
    if (!isSecretPermission(permission)) {
      throw invalidParameter(
        `Invalid permission ${JSON.stringify(permission)}; use one of READ, WRITE, MANAGE.`,
      );
    }
    s.acls.set(p, permission);
    this.onChange();
  }

  deleteAcl(caller: Identity, scope: unknown, principal: unknown): void {
    const s = this.scopeFor(caller, scope, "MANAGE");
    const p = checkPrincipal(principal);
    if (!s.acls.delete(p)) throw notFound(`No ACL for principal ${p} on scope ${s.name}!`);
    this.onChange();
  }

  getAcl(
    caller: Identity,
    scope: unknown,
    principal: unknown,
  ): { principal: string; permission: SecretPermission } {
    const s = this.scopeFor(caller, scope, "MANAGE");
    const p = checkPrincipal(principal);
    const permission = s.acls.get(p);
    if (!permission) throw notFound(`No ACL for principal ${p} on scope ${s.name}!`);
    return { principal: p, permission };
  }

  listAcls(caller: Identity, scope: unknown): { principal: string; permission: SecretPermission }[] {
    const s = this.scopeFor(caller, scope, "MANAGE");
    return [...s.acls.entries()].map(([principal, permission]) => ({ principal, permission }));
  }

  /**
   * Server-side resolution of a `{{secrets/scope/key}}` reference on behalf of `reader` (the principal that
   * wrote the reference into an endpoint config). Fails closed: a reader that is gone or no longer holds READ on
   * the scope gets the 403 envelope, whatever the secret's existence.
   */
  resolve(scope: string, key: string, reader: string): string | undefined {
    const identity = this.identityOf(reader);
    const s = this.scopes.get(scope);
    if (!identity || (s && !this.holds(identity, s, "READ"))) throw noReadOnScope(reader, scope);
    const v = s?.secrets.get(key)?.value;
    return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
  }

  /**
   * Create/update-time check that `caller` may reference a secret of `scope` in an endpoint config: READ on the
   * scope (403 with the real Secrets API text otherwise). A scope that does not exist yet passes here; the
   * query-time `resolve` still checks the creator once it does.
   */
  requireReadForReference(caller: Identity, scope: string): void {
    const s = this.scopes.get(scope);
    if (s && !this.holds(caller, s, "READ")) throw noReadOnScope(caller.name, scope);
  }

  private holds(caller: Identity, s: Scope, need: SecretPermission): boolean {
    if (caller.admin) return true;
    let have = 0;
    for (const p of principalNames(caller)) {
      const level = s.acls.get(p);
      if (level) have = Math.max(have, RANK[level]);
    }
    return have >= RANK[need];
  }

  snapshot(): SecretsSnapshot {
    return {
      scopes: [...this.scopes.values()].map((s) => ({
        name: s.name,
        secrets: Object.fromEntries(s.secrets),
        acls: Object.fromEntries(s.acls),
      })),
    };
  }

  private scopeFor(caller: Identity, scope: unknown, need: SecretPermission): Scope {
    if (typeof scope !== "string" || scope === "") throw invalidParameter("Missing required field: scope");
    const s = this.scopes.get(scope);
    if (!s) throw notFound(`Scope ${scope} does not exist!`);
    if (!this.holds(caller, s, need)) {
      throw permissionDenied(`User ${caller.name} does not have ${need} permission on scope ${scope}.`);
    }
    return s;
  }
}

/** The Secrets service's own text for a missing READ (seen verbatim by clients listing or reading a scope). */
const noReadOnScope = (principal: string, scope: string) =>
  permissionDenied(`${principal} does not have READ permission on scope ${scope} to perform this action.`);

const checkName = (v: unknown, what: "scope" | "key"): string => {
  if (typeof v !== "string" || v === "") throw invalidParameter(`Missing required field: ${what}`);
  if (!NAME_RE.test(v)) {
    throw invalidParameter(
      `Invalid ${what} name '${v.slice(0, 140)}': use at most 128 alphanumeric characters, dashes, underscores and periods.`,
    );
  }
  return v;
};

const checkPrincipal = (v: unknown): string => {
  if (typeof v !== "string" || v.trim() === "") throw invalidParameter("Missing required field: principal");
  // Stored with the scope (and written to the state file): bounded like every stored field.
  if (v.length > MAX_PRINCIPAL_LENGTH)
    throw invalidParameter(`Field 'principal' is longer than ${MAX_PRINCIPAL_LENGTH} characters.`);
  return v;
};
