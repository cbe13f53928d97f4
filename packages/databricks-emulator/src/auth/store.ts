import { timingSafeEqual } from "node:crypto";
import type { ServicePrincipalSpec, UserSpec } from "../options.js";
import type { Clock } from "../util/clock.js";
import { newOAuthToken, newPat } from "../util/ids.js";
import { DEFAULT_ADMIN, type Identity, makeIdentity } from "./identity.js";
import type { JournalToken, TokenJournal } from "./token-journal.js";

/** Expired OAuth tokens are swept at most this often (emulator clock), and on every mint past it. */
const PRUNE_EVERY_MS = 60_000;

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

/**
 * Persisted form. OAuth tokens live in the token journal (auth/token-journal.ts) so that minting never rewrites
 * the workspace state; `tokens` is only read, from state files written before the journal existed.
 */
export interface AuthSnapshot {
  adminToken: string;
  tokens?: TokenRecord[];
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
/** What is persisted of an OAuth token (journal line or legacy snapshot entry); scopes kept for Vector Search. */
const oauthRecord = (t: TokenRecord): JournalToken & { kind: "oauth" } => ({
  token: t.token,
  principal: t.principal,
  kind: "oauth",
  expiresAt: t.expiresAt ?? 0,
  ...(t.authorizationDetails ? { authorizationDetails: t.authorizationDetails } : {}),
});

export class AuthStore {
  private readonly principals = new Map<string, Identity>();
  private readonly sps = new Map<string, SpRecord>();
  private readonly tokens = new Map<string, TokenRecord>();
  readonly adminToken: string;
  readonly users: { userName: string; token: string }[] = [];
  private readonly userSpecs: UserSpec[] = [];
  private readonly spSpecs: ServicePrincipalSpec[];
  private lastPrune = 0;

  constructor(
    private readonly clock: Clock,
    opts: { token?: string; users?: UserSpec[]; servicePrincipals?: ServicePrincipalSpec[] },
    snapshot?: AuthSnapshot,
    private readonly journal?: TokenJournal,
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
    const now = clock.now();
    const persisted: TokenRecord[] = [
      ...(snapshot?.tokens ?? []),
      ...(journal?.load() ?? []).map((t): TokenRecord => ({ ...t, kind: "oauth" })),
    ];
    for (const t of persisted) {
      // Persisted OAuth tokens only make sense if their principal still exists and they are still live.
      const live = t.expiresAt === undefined || t.expiresAt > now;
      if (t.kind === "oauth" && live && this.principals.has(t.principal)) this.addToken(t);
    }
    this.lastPrune = now;
    journal?.rewrite(this.liveOAuth());
  }

  private *liveOAuth(): Iterable<JournalToken> {
    for (const t of this.tokens.values()) {
      if (t.kind === "oauth" && t.expiresAt !== undefined) yield oauthRecord(t);
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

  /**
   * True for the admin API's credential: `Bearer <admin PAT>` (compared in constant time, valid even after
   * `expireTokens`, so tests can undo what they did) or any live token of an admin principal.
   */
  isAdminCredential(header: string | undefined): boolean {
    if (!header?.startsWith("Bearer ")) return false;
    const token = header.slice(7).trim();
    const a = Buffer.from(this.adminToken);
    const b = Buffer.from(token);
    if (a.length === b.length && timingSafeEqual(a, b)) return true;
    return this.resolveToken(token)?.admin === true;
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
    this.journal?.append(oauthRecord(rec));
    if (now - this.lastPrune >= PRUNE_EVERY_MS) this.pruneExpired(now);
    return rec;
  }

  /** Expires every token (or only OAuth tokens) as of now on the emulator clock. */
  expireAll(kind: "all" | "oauth" = "all"): void {
    const now = this.clock.now();
    for (const t of this.tokens.values()) if (kind === "all" || t.kind === "oauth") t.expiresAt = now;
    this.pruneExpired(now);
  }

  /** Drops expired OAuth tokens from memory, and compacts the journal when it is mostly dead lines. */
  private pruneExpired(now: number): void {
    this.lastPrune = now;
    for (const [k, t] of this.tokens)
      if (t.kind === "oauth" && t.expiresAt !== undefined && t.expiresAt <= now) this.tokens.delete(k);
    let live = 0;
    for (const t of this.tokens.values()) if (t.kind === "oauth") live++;
    if (this.journal?.wantsCompaction(live) || live === 0) this.journal?.rewrite(this.liveOAuth());
  }

  snapshot(): AuthSnapshot {
    // With a journal, OAuth tokens stay out of the snapshot: minting 30k tokens must not grow every later write.
    const tokens: TokenRecord[] = [];
    if (!this.journal) {
      for (const t of this.tokens.values()) {
        if (t.kind === "oauth") tokens.push(oauthRecord(t));
      }
    }
    return { adminToken: this.adminToken, tokens, users: this.userSpecs, servicePrincipals: this.spSpecs };
  }
}
