import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";
import type { Identity } from "../auth/identity.js";
import { ApiError, invalidParameter, notFound, permissionDenied } from "../errors.js";
import {
  type AclEntry,
  aclLevel,
  applyAcl,
  parseAcl,
  renderGrant,
  renderObjectPermissions,
} from "../permissions/acl.js";
import { writeFileAtomic } from "../state/atomic-file.js";
import type { Clock } from "../util/clock.js";
import { randomHex } from "../util/ids.js";
import { PgWire } from "./wire.js";

/** One self-signed certificate per process for the wire endpoints' TLS (`sslmode=require`). */
let certificate: Promise<{ key: string; cert: string }> | undefined;
const wireCertificate = () => {
  certificate ??= generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
  }).then((p) => ({ key: p.private, cert: p.cert }));
  return certificate;
};

/** Instance permission levels (spec/lakebase.md "Permissions"), lowest first. */
export type DatabasePermission = "CAN_USE" | "CAN_MANAGE";
const RANK: Record<DatabasePermission, number> = { CAN_USE: 1, CAN_MANAGE: 2 };
const LEVELS: DatabasePermission[] = ["CAN_USE", "CAN_MANAGE"];

/** An instance grant (permissions/acl.ts). */
export type DatabaseAcl = AclEntry<DatabasePermission>;

interface InstanceRecord {
  name: string;
  uid: string;
  capacity: string;
  creator: string;
  creationTime: number;
  customTags?: unknown;
  acl: DatabaseAcl[];
}

interface Credential {
  principal: string;
  instances: string[];
  expiresAt: number;
}

interface Snapshot {
  instances: InstanceRecord[];
  credentials: [string, Credential][];
}

export interface LakebaseConfig {
  clock: Clock;
  /** Workspace `--data-dir`; the instances live in `<dataDir>/lakebase/`. */
  dataDir?: string;
  /** Credential lifetime (the real service: one hour). */
  credentialTtlSeconds: number;
  /** Delay on top of PGlite's own start-up before an instance reports AVAILABLE. */
  transitionMs: number;
}

const CAPACITIES = new Set(["CU_1", "CU_2", "CU_4", "CU_8"]);
/** Instance names: 1-63 lowercase letters, digits and hyphens, starting with a letter (unconfirmed rule). */
const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const PAGE_SIZE_MAX = 100;

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

/**
 * Lakebase provisioned instances, their credentials and their Postgres endpoints (spec/lakebase.md).
 * Engine rules only: the routes in `routes.ts` map HTTP onto these methods.
 */
export class LakebaseStore {
  /** Lifetime of the credentials this store issues, in seconds. */
  get credentialTtlSeconds(): number {
    return this.#cfg.credentialTtlSeconds;
  }

  readonly #cfg: LakebaseConfig;
  readonly #instances = new Map<string, InstanceRecord>();
  readonly #credentials = new Map<string, Credential>();
  /** Started (or starting) wire endpoints by instance name. */
  readonly #wires = new Map<string, { ready?: PgWire; starting: Promise<PgWire>; readyAt: number }>();
  readonly #file: string | undefined;

  constructor(cfg: LakebaseConfig) {
    this.#cfg = cfg;
    if (cfg.dataDir) {
      // Created on the first write: a workspace that never uses Lakebase gets no directory.
      this.#file = join(cfg.dataDir, "lakebase", "lakebase.json");
      let snap: Snapshot | undefined;
      try {
        snap = JSON.parse(readFileSync(this.#file, "utf8")) as Snapshot;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
      for (const r of snap?.instances ?? []) this.#instances.set(r.name, r);
      for (const [t, c] of snap?.credentials ?? []) this.#credentials.set(t, c);
      for (const r of this.#instances.values()) this.#start(r);
    }
  }

  // ---- instances -----------------------------------------------------------------------------------

  create(caller: Identity, body: Record<string, unknown>): Record<string, unknown> {
    const { name, capacity } = body;
    if (typeof name !== "string" || name === "") throw invalidParameter("Field 'name' is required.");
    if (!NAME.test(name)) {
      throw invalidParameter(
        `Invalid database instance name '${name}': use 1-63 lowercase letters, digits and hyphens, starting with a letter.`,
      );
    }
    if (capacity !== undefined && (typeof capacity !== "string" || !CAPACITIES.has(capacity))) {
      throw invalidParameter(
        `Invalid capacity ${JSON.stringify(capacity)}; use one of ${[...CAPACITIES].join(", ")}.`,
      );
    }
    if (this.#instances.has(name)) {
      throw new ApiError(409, "RESOURCE_ALREADY_EXISTS", `Database instance '${name}' already exists.`);
    }
    const r: InstanceRecord = {
      name,
      uid: randomUUID(),
      capacity: (capacity as string | undefined) ?? "CU_1",
      creator: caller.name,
      creationTime: this.#cfg.clock.now(),
      ...(body.custom_tags !== undefined ? { customTags: body.custom_tags } : {}),
      acl: [],
    };
    this.#instances.set(name, r);
    this.#save();
    this.#start(r);
    return this.#render(r);
  }

  get(caller: Identity, name: string): Record<string, unknown> {
    return this.#render(this.#require(caller, name, "CAN_USE"));
  }

  list(caller: Identity, pageSize: unknown, pageToken: unknown): Record<string, unknown> {
    const size = pageSize === undefined || pageSize === "" ? PAGE_SIZE_MAX : Number(pageSize);
    if (!Number.isInteger(size) || size < 0)
      throw invalidParameter(`Invalid page_size '${String(pageSize)}'.`);
    const visible = [...this.#instances.values()]
      .filter((r) => this.#level(r, caller) !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    let start = 0;
    if (pageToken !== undefined && pageToken !== "") {
      const after = Buffer.from(String(pageToken), "base64url").toString("utf8");
      start = visible.findIndex((r) => r.name > after);
      if (start < 0) start = visible.length;
    }
    const take = Math.min(size === 0 ? PAGE_SIZE_MAX : size, PAGE_SIZE_MAX);
    const page = visible.slice(start, start + take);
    const out: Record<string, unknown> = {};
    if (page.length > 0) out.database_instances = page.map((r) => this.#render(r));
    const last = page.at(-1);
    if (last && start + take < visible.length)
      out.next_page_token = Buffer.from(last.name).toString("base64url");
    return out;
  }

  async delete(caller: Identity, name: string): Promise<void> {
    const r = this.#require(caller, name, "CAN_MANAGE");
    this.#instances.delete(name);
    for (const [t, c] of this.#credentials) if (c.instances.includes(name)) this.#credentials.delete(t);
    this.#save();
    const w = this.#wires.get(name);
    this.#wires.delete(name);
    if (w) await (await w.starting.catch(() => undefined))?.close();
    if (this.#cfg.dataDir) rmSync(this.#dataDirOf(r), { recursive: true, force: true });
  }

  // ---- permissions ---------------------------------------------------------------------------------

  permissions(caller: Identity, name: string): Record<string, unknown> {
    const r = this.#require(caller, name, "CAN_USE");
    return this.#renderAcl(r);
  }

  /** PATCH (merge) or PUT (replace) the instance's ACL. */
  setPermissions(caller: Identity, name: string, raw: unknown, replace: boolean): Record<string, unknown> {
    const r = this.#require(caller, name, "CAN_MANAGE");
    r.acl = applyAcl(r.acl, parseAcl(raw, LEVELS), !replace);
    this.#save();
    return this.#renderAcl(r);
  }

  // ---- credentials ---------------------------------------------------------------------------------

  /** `POST /api/2.0/database/credentials`: a token for the caller on the named instances. */
  generateCredential(caller: Identity, body: Record<string, unknown>): { token: string; expiresAt: number } {
    const names = body.instance_names;
    const claims = body.claims;
    if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== "string"))) {
      throw invalidParameter("instance_names must be a list of strings.");
    }
    const hasNames = Array.isArray(names) && names.length > 0;
    const hasClaims = Array.isArray(claims) && claims.length > 0;
    if (!hasNames && !hasClaims)
      throw invalidParameter("At least one of instance_names or claims is required.");
    const instances = (names as string[] | undefined) ?? [];
    for (const n of instances) this.#require(caller, n, "CAN_USE");
    return this.issue(caller, instances, this.#cfg.credentialTtlSeconds);
  }

  issue(caller: Identity, instances: string[], ttlSeconds: number): { token: string; expiresAt: number } {
    const now = this.#cfg.clock.now();
    const expiresAt = now + ttlSeconds * 1000;
    // Shaped like the real JWT; the emulator only looks it up.
    const token = `${b64url({ alg: "RS256", typ: "JWT" })}.${b64url({
      sub: caller.name,
      iat: Math.floor(now / 1000),
      exp: Math.floor(expiresAt / 1000),
      jti: randomHex(8),
    })}.${randomHex(32)}`;
    for (const [t, c] of this.#credentials) if (c.expiresAt <= now) this.#credentials.delete(t);
    this.#credentials.set(token, { principal: caller.name, instances, expiresAt });
    this.#save();
    return { token, expiresAt };
  }

  /** Makes every credential issued so far invalid for new logins (open connections stay). */
  revokeCredentials(): void {
    this.#credentials.clear();
    this.#save();
  }

  /** The wire check: `password` is an unexpired credential issued to `user` for `instance`. */
  verify(instance: string, user: string, password: string): boolean {
    const c = this.#credentials.get(password);
    if (!c || c.principal !== user || c.expiresAt <= this.#cfg.clock.now()) return false;
    return c.instances.length === 0 || c.instances.includes(instance);
  }

  /** The running wire endpoint of an instance (waits for it to start). */
  async wire(name: string): Promise<PgWire> {
    const w = this.#wires.get(name);
    if (!w) throw notFound(`Database instance '${name}' does not exist.`);
    return w.starting;
  }

  /** The instance named `name` if the caller may use it (for the autoscaling credential route). */
  requireUse(caller: Identity, name: string): void {
    this.#require(caller, name, "CAN_USE");
  }

  async close(): Promise<void> {
    const wires = [...this.#wires.values()];
    this.#wires.clear();
    await Promise.all(wires.map(async (w) => (await w.starting.catch(() => undefined))?.close()));
  }

  // ---- internals -----------------------------------------------------------------------------------

  #dataDirOf(r: InstanceRecord): string {
    return join(this.#cfg.dataDir ?? "", "lakebase", r.uid);
  }

  #start(r: InstanceRecord): void {
    const entry: { ready?: PgWire; starting: Promise<PgWire>; readyAt: number } = {
      readyAt: Number.POSITIVE_INFINITY,
      starting: wireCertificate().then((tls) =>
        PgWire.start({
          ...(this.#cfg.dataDir ? { dataDir: this.#dataDirOf(r) } : {}),
          verify: (user, password) => this.verify(r.name, user, password),
          tls,
        }),
      ),
    };
    entry.starting.then(
      (w) => {
        entry.ready = w;
        entry.readyAt = this.#cfg.clock.now() + this.#cfg.transitionMs;
        // Deleted while starting: nobody else will close it.
        if (this.#wires.get(r.name) !== entry) void w.close();
      },
      () => undefined,
    );
    this.#wires.set(r.name, entry);
  }

  #state(r: InstanceRecord): string {
    const w = this.#wires.get(r.name);
    if (!w?.ready) return "STARTING";
    return this.#cfg.clock.now() >= w.readyAt ? "AVAILABLE" : "STARTING";
  }

  #render(r: InstanceRecord): Record<string, unknown> {
    const state = this.#state(r);
    const port = this.#wires.get(r.name)?.ready?.port;
    const out: Record<string, unknown> = {
      name: r.name,
      uid: r.uid,
      capacity: r.capacity,
      effective_capacity: r.capacity,
      state,
      creator: r.creator,
      creation_time: new Date(r.creationTime).toISOString(),
      pg_version: "PG_17",
      effective_pg_version: "PG_17",
      node_count: 1,
      effective_node_count: 1,
      stopped: false,
      effective_stopped: false,
      enable_pg_native_login: false,
      effective_enable_pg_native_login: false,
      retention_window_in_days: 7,
      effective_retention_window_in_days: 7,
    };
    // The emulator's convention (spec/lakebase.md "Finding the port"): loopback host plus the endpoint's port.
    if (state === "AVAILABLE" && port) {
      out.read_write_dns = `127.0.0.1:${port}`;
      out.read_only_dns = `127.0.0.1:${port}`;
    }
    if (r.customTags !== undefined) out.custom_tags = r.customTags;
    return out;
  }

  #renderAcl(r: InstanceRecord): Record<string, unknown> {
    const creator: AclEntry = { kind: "user_name", principal: r.creator, level: "CAN_MANAGE" };
    return renderObjectPermissions("database-instances", r.uid, "database-instance", [
      renderGrant(creator),
      ...r.acl.map((a) => renderGrant(a)),
    ]);
  }

  #level(r: InstanceRecord, id: Identity): DatabasePermission | undefined {
    if (id.admin || r.creator === id.name) return "CAN_MANAGE";
    return aclLevel(r.acl, id, RANK);
  }

  #require(caller: Identity, name: string, need: DatabasePermission): InstanceRecord {
    const r = this.#instances.get(name);
    if (!r) throw notFound(`Database instance '${name}' does not exist.`);
    const have = this.#level(r, caller);
    if (!have || RANK[have] < RANK[need]) {
      throw permissionDenied(
        `User ${caller.name} does not have ${need} permission on database instance '${name}' (has ${have ?? "no permission"}).`,
      );
    }
    return r;
  }

  #save(): void {
    if (!this.#file) return;
    const snap: Snapshot = { instances: [...this.#instances.values()], credentials: [...this.#credentials] };
    mkdirSync(join(this.#file, ".."), { recursive: true });
    writeFileAtomic(this.#file, JSON.stringify(snap));
  }
}
