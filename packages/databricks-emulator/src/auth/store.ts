import { timingSafeEqual } from "node:crypto";
import type { ServicePrincipalSpec, UserSpec } from "../options.js";
import type { Clock } from "../util/clock.js";
import { newOAuthToken, newPat } from "../util/ids.js";
import { DEFAULT_ADMIN, type Identity, makeIdentity } from "./identity.js";

export interface TokenRecord {
  token: string;
  principal: string;
  kind: "pat" | "oauth";
  /** Emulator-clock epoch ms; absent = never expires. */
  expiresAt?: number;
  /** OAuth `authorization_details` the token was scoped with (Vector Search data-plane tokens). */
  authorizationDetails?: unknown[];
}

interface SpRecord {
  clientSecret: string;
  identity: Identity;
}

/** Persisted form (OAuth tokens survive restarts so running clients keep working). */
export interface AuthSnapshot {
  adminToken: string;
  tokens: TokenRecord[];
  users?: UserSpec[];
  servicePrincipals?: ServicePrincipalSpec[];
}

/** Snapshot entries first, then options (options win for the same name). */
const mergeBy = <T>(a: T[] | undefined, b: T[] | undefined, key: (t: T) => string): T[] => {
  const m = new Map<string, T>();
  for (const t of [...(a ?? []), ...(b ?? [])]) m.set(key(t), t);
  return [...m.values()];
};

/** Users, service principals and the tokens that identify them. */
export class AuthStore {
  private readonly principals = new Map<string, Identity>();
  private readonly sps = new Map<string, SpRecord>();
  private readonly tokens = new Map<string, TokenRecord>();
  readonly adminToken: string;
  readonly users: { userName: string; token: string }[] = [];
  private readonly userSpecs: UserSpec[] = [];
  private readonly spSpecs: ServicePrincipalSpec[];

  constructor(
    private readonly clock: Clock,
    opts: { token?: string; users?: UserSpec[]; servicePrincipals?: ServicePrincipalSpec[] },
    snapshot?: AuthSnapshot,
  ) {
    this.adminToken = opts.token ?? snapshot?.adminToken ?? newPat();
    this.addPrincipal(makeIdentity("user", DEFAULT_ADMIN, { displayName: "Emulator Admin", admin: true }));
    this.addToken({ token: this.adminToken, principal: DEFAULT_ADMIN, kind: "pat" });
    // A user given again without a token keeps the PAT persisted for it, like the admin token does.
    const persistedToken = new Map((snapshot?.users ?? []).map((u) => [u.userName, u.token]));
    const optionUsers = opts.users?.map((u) =>
      u.token === undefined && persistedToken.get(u.userName)
        ? { ...u, token: persistedToken.get(u.userName) }
        : u,
    );
    for (const u of mergeBy(snapshot?.users, optionUsers, (x) => x.userName)) {
      if (!u.userName) throw new TypeError("options.users[].userName is required (an email such as a@b.com)");
      this.addPrincipal(makeIdentity("user", u.userName, u));
      const token = u.token ?? newPat();
      this.addToken({ token, principal: u.userName, kind: "pat" });
      this.users.push({ userName: u.userName, token });
      this.userSpecs.push({ ...u, token });
    }
    this.spSpecs = mergeBy(snapshot?.servicePrincipals, opts.servicePrincipals, (x) => x.clientId);
    for (const sp of this.spSpecs) {
      if (!sp.clientId || !sp.clientSecret) {
        throw new TypeError("options.servicePrincipals[] needs both clientId and clientSecret");
      }
      const identity = makeIdentity("service-principal", sp.clientId, { ...sp, displayName: sp.name });
      this.addPrincipal(identity);
      this.sps.set(sp.clientId, { clientSecret: sp.clientSecret, identity });
    }
    for (const t of snapshot?.tokens ?? []) {
      // Persisted OAuth tokens only make sense if their principal still exists.
      if (t.kind === "oauth" && this.principals.has(t.principal)) this.addToken(t);
    }
  }

  private addPrincipal(id: Identity): void {
    this.principals.set(id.name, id);
  }

  private addToken(t: TokenRecord): void {
    this.tokens.set(t.token, { ...t });
  }

  identityOf(principal: string): Identity | undefined {
    return this.principals.get(principal);
  }

  /** The identity behind a token, or undefined when unknown, revoked or expired on the emulator clock. */
  resolveToken(token: string): Identity | undefined {
    const rec = this.tokens.get(token);
    if (!rec) return undefined;
    if (rec.expiresAt !== undefined && rec.expiresAt <= this.clock.now()) return undefined;
    return this.principals.get(rec.principal);
  }

  /** Checks client credentials in constant time; undefined when they do not match a service principal. */
  checkClient(clientId: string, clientSecret: string): Identity | undefined {
    const sp = this.sps.get(clientId);
    if (!sp) return undefined;
    const a = Buffer.from(sp.clientSecret);
    const b = Buffer.from(clientSecret);
    return a.length === b.length && timingSafeEqual(a, b) ? sp.identity : undefined;
  }

  /** The live record of a token (kind, scope), or undefined when unknown or expired. */
  tokenRecord(token: string): TokenRecord | undefined {
    const rec = this.tokens.get(token);
    if (!rec || (rec.expiresAt !== undefined && rec.expiresAt <= this.clock.now())) return undefined;
    return rec;
  }

  issueOAuthToken(principal: string, ttlSeconds: number, authorizationDetails?: unknown[]): TokenRecord {
    const now = this.clock.now();
    const rec: TokenRecord = {
      token: newOAuthToken(),
      principal,
      kind: "oauth",
      expiresAt: now + ttlSeconds * 1000,
      ...(authorizationDetails && authorizationDetails.length > 0 ? { authorizationDetails } : {}),
    };
    this.addToken(rec);
    this.pruneExpired(now);
    return rec;
  }

  /** Expires every token (or only OAuth tokens) as of now on the emulator clock. */
  expireAll(kind: "all" | "oauth" = "all"): void {
    const now = this.clock.now();
    for (const t of this.tokens.values()) if (kind === "all" || t.kind === "oauth") t.expiresAt = now;
  }

  private pruneExpired(now: number): void {
    if (this.tokens.size < 1000) return;
    for (const [k, t] of this.tokens)
      if (t.expiresAt !== undefined && t.expiresAt <= now) this.tokens.delete(k);
  }

  snapshot(): AuthSnapshot {
    const tokens: TokenRecord[] = [];
    for (const t of this.tokens.values()) {
      if (t.kind === "oauth")
        tokens.push({
          token: t.token,
          principal: t.principal,
          kind: t.kind,
          expiresAt: t.expiresAt,
          ...(t.authorizationDetails ? { authorizationDetails: t.authorizationDetails } : {}),
        });
    }
    return { adminToken: this.adminToken, tokens, users: this.userSpecs, servicePrincipals: this.spSpecs };
  }
}
