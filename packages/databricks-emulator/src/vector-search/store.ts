/**
 * Vector Search state: endpoints, indexes and their rows. Transitions (PROVISIONING -> ONLINE) are evaluated
 * lazily against the emulator clock, like serving endpoints. Create-request validation is in index-spec.ts, row
 * validation in row-input.ts, the state shapes in store-types.ts. Wire shapes:
 * packages/databricks-emulator/spec/vector-search.md.
 */
import { randomUUID } from "node:crypto";
import { type Identity, principalNames } from "../auth/identity.js";
import { ApiError, invalidParameter, notFound, permissionDenied } from "../errors.js";
import type { JsonObject } from "../util/json.js";
import { creatorAcl, requireEndpointLevel } from "./endpoint-acl.js";
import type { RowValues } from "./filters.js";
import { IndexData } from "./index-data.js";
import { resolveIndexSpec } from "./index-spec.js";
import { parseUpsertRows, rowsFromSource } from "./row-input.js";
import { comparePk, pkKey, protoValue } from "./schema.js";
import {
  MAX_SCAN_RESULTS,
  MAX_UPSERT_ROWS,
  type Privilege,
  type UpsertOutcome,
  type VsEndpoint,
  type VsEndpointAclEntry,
  type VsIndexMeta,
  type VsStoreOptions,
} from "./store-types.js";

// The state shapes live in store-types.ts; re-exported so importers of this module keep working.
export {
  type Embedder,
  type EndpointType,
  MAX_SCAN_RESULTS,
  MAX_UPSERT_ROWS,
  type Privilege,
  type UpsertOutcome,
  type VsEndpoint,
  type VsIndexMeta,
  type VsStoreOptions,
} from "./store-types.js";

const ENDPOINT_NAME = /^[A-Za-z0-9_-]{1,63}$/;
const INDEX_NAME = /^[^.\s/]+\.[^.\s/]+\.[^.\s/]+$/;

const endpointMissing = (name: string) => notFound(`Vector search endpoint ${name} not found`);
const indexMissing = (name: string) => notFound(`Index ${name} does not exist.`);

export class VectorSearchStore {
  readonly endpoints = new Map<string, VsEndpoint>();
  readonly indexes = new Map<string, VsIndexMeta>();
  readonly data = new Map<string, IndexData>();

  constructor(readonly opts: VsStoreOptions) {}

  // ----- endpoints -----

  createEndpoint(caller: Identity, body: JsonObject): VsEndpoint {
    const name = body.name;
    if (typeof name !== "string" || !ENDPOINT_NAME.test(name)) {
      throw invalidParameter(`name must be 1-63 letters, digits, '-' or '_'; got ${JSON.stringify(name)}.`);
    }
    const type = body.endpoint_type ?? "STANDARD";
    if (type !== "STANDARD" && type !== "STORAGE_OPTIMIZED") {
      throw invalidParameter(
        `endpoint_type must be STANDARD or STORAGE_OPTIMIZED, got ${JSON.stringify(type)}.`,
      );
    }
    if (this.endpoints.has(name)) {
      throw new ApiError(409, "RESOURCE_ALREADY_EXISTS", `Vector search endpoint ${name} already exists.`);
    }
    const now = this.opts.clock.now();
    const ep: VsEndpoint = {
      name,
      id: randomUUID(),
      endpointType: type,
      creator: caller.name,
      createdAt: now,
      updatedAt: now,
      readyAt: now + this.opts.transitionMs,
      ...(typeof body.budget_policy_id === "string" ? { budgetPolicyId: body.budget_policy_id } : {}),
      ...(typeof body.num_replicas === "number" ? { numReplicas: body.num_replicas } : {}),
      acl: creatorAcl(caller),
    };
    this.endpoints.set(name, ep);
    this.opts.onChange();
    return ep;
  }

  endpoint(name: string): VsEndpoint {
    const ep = this.endpoints.get(name);
    if (!ep) throw endpointMissing(name);
    return ep;
  }

  endpointOnline(ep: VsEndpoint): boolean {
    return this.opts.clock.now() >= ep.readyAt;
  }

  deleteEndpoint(caller: Identity, name: string): void {
    const ep = this.endpoint(name);
    requireEndpointLevel(ep, caller, "CAN_MANAGE");
    for (const idx of [...this.indexes.values()]) if (idx.endpointName === name) this.dropIndex(idx.name);
    this.endpoints.delete(name);
    this.opts.onChange();
  }

  /** Replaces the endpoint's permissions (PUT, or PATCH after merging). */
  setEndpointAcl(ep: VsEndpoint, acl: VsEndpointAclEntry[]): void {
    ep.acl = acl;
    this.opts.onChange();
  }

  // ----- indexes -----

  index(name: string): VsIndexMeta {
    const idx = this.indexes.get(name);
    if (!idx) throw indexMissing(name);
    return idx;
  }

  dataOf(idx: VsIndexMeta): IndexData {
    return this.data.get(idx.name) as IndexData;
  }

  /** Whether `caller` holds `need` on the index (admins and the creator hold everything). */
  can(idx: VsIndexMeta, caller: Identity, need: Privilege): boolean {
    if (caller.admin || idx.creator === caller.name) return true;
    for (const p of principalNames(caller)) {
      const g = idx.grants[p];
      if (g && (g.includes(need) || g.includes("ALL_PRIVILEGES"))) return true;
    }
    return false;
  }

  require(idx: VsIndexMeta, caller: Identity, need: Privilege): void {
    if (!this.can(idx, caller, need)) {
      throw permissionDenied(`User ${caller.name} does not have ${need} on index ${idx.name}.`);
    }
  }

  online(idx: VsIndexMeta): boolean {
    return this.opts.clock.now() >= idx.readyAt;
  }

  requireOnline(idx: VsIndexMeta): void {
    if (!this.online(idx)) {
      throw new ApiError(
        400,
        "FAILED_PRECONDITION",
        `Index ${idx.name} is not ready yet (PROVISIONING_INITIAL_SNAPSHOT). Wait until status.ready is true.`,
      );
    }
  }

  detailedState(idx: VsIndexMeta): string {
    if (!this.online(idx)) return "PROVISIONING_INITIAL_SNAPSHOT";
    if (idx.indexType === "DIRECT_ACCESS") return "ONLINE_DIRECT_ACCESS";
    return idx.delta?.pipelineType === "CONTINUOUS" ? "ONLINE_CONTINUOUS_UPDATE" : "ONLINE_NO_PENDING_UPDATE";
  }

  /** Validates a create request and returns the metadata (data loading for DELTA_SYNC is done by the caller). */
  async createIndex(caller: Identity, body: JsonObject, endpointFromPath?: string): Promise<VsIndexMeta> {
    const name = body.name;
    if (typeof name !== "string" || !INDEX_NAME.test(name)) {
      throw invalidParameter(
        `name must be a three-part Unity Catalog name catalog.schema.index; got ${JSON.stringify(name)}.`,
      );
    }
    const endpointName = endpointFromPath ?? body.endpoint_name;
    if (typeof endpointName !== "string" || endpointName === "")
      throw invalidParameter("endpoint_name is required.");
    const ep = this.endpoint(endpointName);
    requireEndpointLevel(ep, caller, "CAN_USE");
    if (this.indexes.has(name)) {
      throw new ApiError(409, "RESOURCE_ALREADY_EXISTS", `Index ${name} already exists.`);
    }
    const {
      pk,
      type,
      subtype,
      spec,
      schema,
      delta,
      vectorColumn,
      dim,
      sourceColumn,
      embeddingEndpoint,
      queryEndpoint,
    } = await resolveIndexSpec(caller, body, this.opts);
    const now = this.opts.clock.now();
    const meta: VsIndexMeta = {
      name,
      id: randomUUID(),
      endpointName,
      primaryKey: pk,
      indexType: type,
      ...(typeof subtype === "string" ? { indexSubtype: subtype } : {}),
      creator: caller.name,
      createdAt: now,
      readyAt: Math.max(now + this.opts.transitionMs, ep.readyAt),
      schema,
      ...(type === "DIRECT_ACCESS" ? { requestedSchemaJson: spec.schema_json as string } : {}),
      ...(vectorColumn ? { vectorColumn } : {}),
      dim,
      ...(sourceColumn ? { sourceColumn, embeddingEndpoint, queryEndpoint } : {}),
      spec,
      ...(delta ? { delta } : {}),
      grants: {},
    };
    this.register(meta);
    if (delta) await this.sync(meta, caller);
    this.opts.onChange(name);
    return meta;
  }

  /** Adds an index with empty data (also used when loading persisted state). */
  register(meta: VsIndexMeta): IndexData {
    const text = meta.sourceColumn
      ? [meta.sourceColumn]
      : Object.entries(meta.schema)
          .filter(([c, t]) => (t === "string" || t === "array<string>") && c !== meta.primaryKey)
          .map(([c]) => c);
    const data = new IndexData(meta.dim, text);
    this.indexes.set(meta.name, meta);
    this.data.set(meta.name, data);
    return data;
  }

  private dropIndex(name: string): void {
    this.indexes.delete(name);
    this.data.delete(name);
  }

  deleteIndex(caller: Identity, name: string): void {
    const idx = this.index(name);
    if (!caller.admin && idx.creator !== caller.name && !this.can(idx, caller, "ALL_PRIVILEGES")) {
      throw permissionDenied(`User ${caller.name} does not have permission to delete index ${name}.`);
    }
    this.dropIndex(name);
    this.opts.onChange(name);
  }

  listIndexes(caller: Identity, endpointName?: string): VsIndexMeta[] {
    if (endpointName) this.endpoint(endpointName);
    return [...this.indexes.values()]
      .filter((i) => (!endpointName || i.endpointName === endpointName) && this.can(i, caller, "SELECT"))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  // ----- data -----

  private writable(idx: VsIndexMeta): void {
    if (idx.indexType !== "DIRECT_ACCESS") {
      throw invalidParameter(
        `Index ${idx.name} is a DELTA_SYNC index: its rows come from ${idx.delta?.sourceTable}. Write to the source table and call sync; upsert-data and delete-data only work on DIRECT_ACCESS indexes.`,
      );
    }
  }

  /**
   * Validates every row first; structural errors (unknown column, wrong type, wrong dimension) reject the whole
   * request with 400 naming row and field, so nothing is partially applied. Rows without a primary key are
   * reported in `failed_primary_keys` (PARTIAL_SUCCESS / FAILURE) and the others are written.
   */
  upsert(caller: Identity, idx: VsIndexMeta, inputsJson: unknown): UpsertOutcome {
    this.writable(idx);
    const { good, failed, texts } = parseUpsertRows(idx, inputsJson);
    if (idx.sourceColumn && texts.length > 0) {
      const { vectors } = this.opts.embed(idx.embeddingEndpoint as string, texts, caller);
      for (let i = 0; i < good.length; i++) (good[i] as { vector?: ArrayLike<number> }).vector = vectors[i];
    }
    const data = this.dataOf(idx);
    for (const g of good) data.upsert(g.key, g.values, g.vector);
    if (good.length > 0) this.opts.onChange(idx.name);
    return {
      status: failed.length === 0 ? "SUCCESS" : good.length > 0 ? "PARTIAL_SUCCESS" : "FAILURE",
      result: { success_row_count: good.length, failed_primary_keys: failed },
    };
  }

  deleteRows(idx: VsIndexMeta, keys: string[]): UpsertOutcome {
    this.writable(idx);
    if (keys.length === 0) throw invalidParameter("primary_keys is required: list the keys to delete.");
    if (keys.length > MAX_UPSERT_ROWS) {
      throw new ApiError(
        400,
        "RESOURCE_LIMIT_EXCEEDED",
        `Delete at most ${MAX_UPSERT_ROWS} primary keys per request.`,
      );
    }
    const data = this.dataOf(idx);
    for (const k of keys) data.delete(k);
    this.opts.onChange(idx.name);
    return { status: "SUCCESS", result: { success_row_count: keys.length, failed_primary_keys: [] } };
  }

  scan(idx: VsIndexMeta, lastKey: unknown, numResults: unknown): JsonObject {
    const n = numResults ?? 10;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > MAX_SCAN_RESULTS) {
      throw invalidParameter(`num_results must be an integer between 1 and ${MAX_SCAN_RESULTS}.`);
    }
    const data = this.dataOf(idx);
    const numeric = idx.schema[idx.primaryKey] !== "string";
    const cmp = comparePk(numeric);
    const keys = [...data.bySlot.keys()].sort(cmp);
    let start = 0;
    if (lastKey !== undefined && lastKey !== null && lastKey !== "") {
      const lk = pkKey(lastKey);
      start = keys.findIndex((k) => cmp(k, lk) > 0);
      if (start < 0) start = keys.length;
    }
    const page = keys.slice(start, start + n);
    if (page.length === 0) return {};
    const out = page.map((k) => {
      const slot = data.bySlot.get(k) as number;
      return { fields: this.rowFields(idx, slot).map(([key, value]) => ({ key, value: protoValue(value) })) };
    });
    return { data: out, last_primary_key: page[page.length - 1] };
  }

  /** All columns of a stored row, the vector column included (self-managed). */
  rowFields(idx: VsIndexMeta, slot: number): [string, unknown][] {
    const data = this.dataOf(idx);
    const values = (data.rows[slot] as { values: RowValues }).values;
    const out: [string, unknown][] = [];
    for (const c of Object.keys(idx.schema)) {
      if (c === idx.vectorColumn) out.push([c, data.vectorOf(slot)]);
      else if (values[c] !== undefined) out.push([c, values[c]]);
    }
    return out;
  }

  cell(idx: VsIndexMeta, slot: number, column: string): unknown {
    const data = this.dataOf(idx);
    if (column === idx.vectorColumn) return data.vectorOf(slot);
    const v = (data.rows[slot] as { values: RowValues }).values[column];
    return v === undefined ? null : v;
  }

  /** Re-reads a DELTA_SYNC index's source table and replaces its rows (embedding the source column if managed). */
  async sync(idx: VsIndexMeta, caller: Identity): Promise<void> {
    if (!idx.delta) {
      throw invalidParameter(
        `Index ${idx.name} is a DIRECT_ACCESS index; sync only applies to DELTA_SYNC indexes.`,
      );
    }
    const table = await this.opts.sourceTables.readTable(idx.delta.sourceTable, caller);
    const rows = rowsFromSource(idx, table.rows);
    if (idx.sourceColumn && rows.length > 0) {
      const texts = rows.map((r) => String(r.values[idx.sourceColumn as string] ?? ""));
      const { vectors } = this.opts.embed(idx.embeddingEndpoint as string, texts, caller);
      rows.forEach((r, i) => {
        r.vector = vectors[i];
      });
    }
    const data = this.dataOf(idx);
    data.clear();
    for (const r of rows) data.upsert(r.key, r.values, r.vector);
    idx.lastSyncAt = this.opts.clock.now();
    this.opts.onChange(idx.name);
  }

  grant(idx: VsIndexMeta, principal: string, add: Privilege[], remove: Privilege[]): void {
    const cur = new Set(idx.grants[principal] ?? []);
    for (const p of add) cur.add(p);
    for (const p of remove) cur.delete(p);
    if (cur.size === 0) delete idx.grants[principal];
    else idx.grants[principal] = [...cur].sort();
    this.opts.onChange();
  }
}
