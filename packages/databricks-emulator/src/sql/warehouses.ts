/**
 * SQL warehouses (spec/sql.md "Warehouses"): records kept in the Unity Catalog state file. Transitions
 * (STARTING -> RUNNING, STOPPING -> STOPPED) complete `transitionMs` after they begin on the emulator clock and
 * are evaluated when read, like serving endpoint updates. Every warehouse runs on the one DuckDB engine.
 */
import { randomBytes } from "node:crypto";
import { ApiError, invalidParameter } from "../errors.js";
import type { Clock } from "../util/clock.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { UnityCatalog } from "./catalog.js";

export type WarehouseState = "STARTING" | "RUNNING" | "STOPPING" | "STOPPED" | "DELETING" | "DELETED";

interface WarehouseRecord {
  id: string;
  spec: JsonObject;
  state: WarehouseState;
  /** When the current transition completes (STARTING/STOPPING). */
  readyAt?: number;
  creator_name: string;
}

const SIZES = [
  "2X-Small",
  "X-Small",
  "Small",
  "Medium",
  "Large",
  "X-Large",
  "2X-Large",
  "3X-Large",
  "4X-Large",
  "5X-Large",
];
const EDITABLE = [
  "name",
  "cluster_size",
  "min_num_clusters",
  "max_num_clusters",
  "auto_stop_mins",
  "enable_photon",
  "enable_serverless_compute",
  "warehouse_type",
  "spot_instance_policy",
  "channel",
  "tags",
];

export const DEFAULT_WAREHOUSE_NAME = "Emulator Serverless Warehouse";

export class WarehouseStore {
  constructor(
    private readonly uc: UnityCatalog,
    private readonly clock: Clock,
    private readonly transitionMs: number,
    private readonly host: () => string,
  ) {}

  private get records(): Record<string, WarehouseRecord> {
    return this.uc.snapshot.warehouses as unknown as Record<string, WarehouseRecord>;
  }

  /** The default warehouse (created RUNNING on first start, then kept in the state file). */
  ensureDefault(creator: string): string {
    const existing = Object.values(this.records).find((w) => w.spec.name === DEFAULT_WAREHOUSE_NAME);
    if (existing) return existing.id;
    const id = randomBytes(8).toString("hex");
    this.records[id] = {
      id,
      spec: this.validated(
        {
          name: DEFAULT_WAREHOUSE_NAME,
          cluster_size: "2X-Small",
          enable_serverless_compute: true,
          warehouse_type: "PRO",
          auto_stop_mins: 10,
        },
        true,
      ),
      state: "RUNNING",
      creator_name: creator,
    };
    this.uc.save();
    return id;
  }

  private settle(w: WarehouseRecord): WarehouseRecord {
    if (w.readyAt !== undefined && this.clock.now() >= w.readyAt) {
      w.state = w.state === "STARTING" ? "RUNNING" : w.state === "STOPPING" ? "STOPPED" : w.state;
      w.readyAt = undefined;
      this.uc.save();
    }
    return w;
  }

  private record(id: string): WarehouseRecord {
    const w = this.records[id];
    if (!w) throw new ApiError(404, "RESOURCE_DOES_NOT_EXIST", `Warehouse ${id} does not exist.`);
    return this.settle(w);
  }

  private validated(b: JsonObject, creating: boolean, exceptId?: string): JsonObject {
    const out: JsonObject = {};
    for (const k of EDITABLE) if (b[k] !== undefined) out[k] = b[k];
    if (creating || out.name !== undefined) {
      if (typeof out.name !== "string" || out.name.trim() === "" || out.name.length >= 100) {
        throw invalidParameter("Warehouse name must be a non-empty string of fewer than 100 characters.");
      }
      const clash = Object.values(this.records).find((w) => w.spec.name === out.name && w.id !== exceptId);
      if (clash)
        throw new ApiError(
          400,
          "INVALID_PARAMETER_VALUE",
          `Warehouse with name '${out.name}' already exists.`,
        );
    }
    if (out.cluster_size !== undefined && !SIZES.includes(String(out.cluster_size))) {
      throw invalidParameter(
        `Invalid cluster_size '${String(out.cluster_size)}'; use one of ${SIZES.join(", ")}.`,
      );
    }
    const asm = out.auto_stop_mins;
    if (asm !== undefined && (typeof asm !== "number" || !Number.isInteger(asm) || (asm !== 0 && asm < 10))) {
      throw invalidParameter("auto_stop_mins must be 0 or at least 10.");
    }
    const max = out.max_num_clusters;
    if (max !== undefined && (typeof max !== "number" || max < 1 || max > 40)) {
      throw invalidParameter("max_num_clusters must be between 1 and 40.");
    }
    if (
      out.warehouse_type !== undefined &&
      !["PRO", "CLASSIC", "TYPE_UNSPECIFIED"].includes(String(out.warehouse_type))
    ) {
      throw invalidParameter(`Invalid warehouse_type '${String(out.warehouse_type)}'.`);
    }
    if (out.enable_serverless_compute === true && out.warehouse_type === "CLASSIC") {
      throw invalidParameter("Serverless compute requires warehouse_type PRO.");
    }
    if (out.tags !== undefined && !isObject(out.tags)) throw invalidParameter("tags must be an object.");
    if (creating) {
      out.cluster_size ??= "2X-Small";
      out.min_num_clusters ??= 1;
      out.max_num_clusters ??= 1;
      out.auto_stop_mins ??= 120;
      out.enable_photon ??= true;
      out.warehouse_type ??= "PRO";
      out.spot_instance_policy ??= "COST_OPTIMIZED";
      out.channel ??= { name: "CHANNEL_NAME_CURRENT" };
    }
    return out;
  }

  create(body: JsonObject, creator: string): string {
    const spec = this.validated(body, true);
    const id = randomBytes(8).toString("hex");
    this.records[id] = {
      id,
      spec,
      state: "STARTING",
      readyAt: this.clock.now() + this.transitionMs,
      creator_name: creator,
    };
    this.uc.save();
    return id;
  }

  edit(id: string, body: JsonObject): void {
    const w = this.record(id);
    w.spec = { ...w.spec, ...this.validated(body, false, id) };
    this.uc.save();
  }

  start(id: string): void {
    const w = this.record(id);
    if (w.state === "RUNNING" || w.state === "STARTING") return;
    w.state = "STARTING";
    w.readyAt = this.clock.now() + this.transitionMs;
    this.uc.save();
  }

  stop(id: string): void {
    const w = this.record(id);
    if (w.state === "STOPPED" || w.state === "STOPPING") return;
    w.state = "STOPPING";
    w.readyAt = this.clock.now() + this.transitionMs;
    this.uc.save();
  }

  delete(id: string): void {
    this.record(id);
    delete this.records[id];
    this.uc.save();
  }

  state(id: string): WarehouseState {
    return this.record(id).state;
  }

  exists(id: string): boolean {
    return this.records[id] !== undefined;
  }

  /** Resolves once the warehouse is RUNNING (auto-starting a stopped one), on the emulator clock. */
  async whenRunning(id: string, signal?: AbortSignal): Promise<void> {
    if (this.state(id) === "STOPPED" || this.state(id) === "STOPPING") this.start(id);
    while (this.state(id) !== "RUNNING") {
      if (signal?.aborted) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  render(id: string): JsonObject {
    const w = this.record(id);
    const host = this.host().replace(/^https?:\/\//, "");
    const [hostname, port] = host.split(":");
    return {
      id: w.id,
      ...w.spec,
      creator_name: w.creator_name,
      state: w.state,
      num_clusters: w.state === "RUNNING" ? 1 : 0,
      num_active_sessions: 0,
      jdbc_url: `jdbc:databricks://${hostname}:${port ?? 443};transportMode=http;ssl=0;httpPath=/sql/1.0/warehouses/${w.id};`,
      odbc_params: {
        hostname,
        path: `/sql/1.0/warehouses/${w.id}`,
        port: Number(port ?? 443),
        protocol: "http",
      },
      health: { status: "HEALTHY" },
    };
  }

  list(): JsonObject[] {
    return Object.keys(this.records)
      .sort()
      .map((id) => this.render(id));
  }
}
