import { createHash } from "node:crypto";
import type { FoundationModel } from "../engines/index.js";
import type { EndpointRecord } from "./types.js";

/** Builds the read-only record for a pre-provisioned foundation endpoint (spec/serving.md 2.7). */
export const foundationRecord = (f: FoundationModel, now: number): EndpointRecord => ({
  // Stable across restarts so permission URLs keep working.
  id: createHash("md5").update(f.endpointName).digest("hex"),
  name: f.endpointName,
  creationTimestamp: now,
  lastUpdatedTimestamp: now,
  task: f.task,
  endpointType: "FOUNDATION_MODEL_API",
  config: {
    configVersion: 1,
    servedEntities: [
      {
        name: f.endpointName,
        creator: "",
        creationTimestamp: now,
        spec: {
          name: f.endpointName,
          entity_name: f.entityName,
          entity_version: f.entityVersion,
          type: "FOUNDATION_MODEL",
          foundation_model: { ...f.foundationModel },
        },
      },
    ],
    routes: [
      { served_model_name: f.endpointName, served_entity_name: f.endpointName, traffic_percentage: 100 },
    ],
  },
  tags: [],
  routeOptimized: false,
  extra: { description: f.description },
  // Every workspace user may query foundation endpoints.
  acl: [{ kind: "group_name", principal: "users", level: "CAN_QUERY" }],
  readOnly: true,
  capabilities: { ...f.capabilities },
});
