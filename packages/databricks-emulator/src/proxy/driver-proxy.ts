import { randomUUID } from "node:crypto";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { authenticate } from "../auth/authenticate.js";
import type { AuthStore } from "../auth/store.js";
import { ApiError, notFound, permissionDenied } from "../errors.js";
import { malformedUrl, toErrorResponse } from "../http/envelope.js";
import { hasClusterLevel } from "./cluster-permissions.js";
import type { ClusterRegistry } from "./clusters.js";

/** Driver ports an app may use (the seed: "use a port in [3000, 8000]"). */
export const DEFAULT_DRIVER_PROXY_PORTS: readonly [number, number] = [3000, 8000];

export const DRIVER_PROXY_PREFIX = "/driver-proxy-api/o/";

/** Request headers never forwarded to the app (hop-by-hop, and the caller's Databricks credential). */
const DROP = new Set([
  "host",
  "authorization",
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
]);

export interface DriverProxyDeps {
  auth: AuthStore;
  clusters: ClusterRegistry;
  workspaceId: string;
  /** Inclusive range of driver ports the proxy forwards to. */
  ports: readonly [number, number];
  /** The emulator's own port: never a proxy target (it would reach the admin API from the inside). */
  ownPort(): number;
  /** Called once per proxied request with the final status (for stats). */
  record(method: string, path: string, status: number, principal: string | undefined): void;
}

const sendError = (res: ServerResponse, err: unknown, requestId: string): number => {
  const { status, headers, body } = toErrorResponse(err, requestId);
  if (res.headersSent) {
    res.destroy();
    return status;
  }
  res.writeHead(status, { "content-type": "application/json", "x-request-id": requestId, ...headers });
  res.end(JSON.stringify(body));
  return status;
};

/**
 * Cluster driver proxy (wire-spec 5): `/driver-proxy-api/o/{0|workspaceId}/{clusterId}/{port}/...` is forwarded
 * to `127.0.0.1:{port}/...` with any method, body and streamed response. Runs below Fastify so request and
 * response bodies stream through untouched.
 */
export const handleDriverProxy = (req: IncomingMessage, res: ServerResponse, deps: DriverProxyDeps): void => {
  const requestId = randomUUID();
  const url = req.url ?? "/";
  const method = req.method ?? "GET";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? "" : url.slice(q);
  let principal: string | undefined;
  const fail = (err: unknown) => {
    req.resume();
    deps.record(method, path, sendError(res, err, requestId), principal);
  };
  try {
    const identity = authenticate(req.headers.authorization, deps.auth, requestId);
    principal = identity.name;
    const [org = "", rawCluster = "", port = "", ...rest] = path.slice(DRIVER_PROXY_PREFIX.length).split("/");
    if (org !== "0" && org !== deps.workspaceId) {
      throw notFound(
        `Workspace ${org} is not this workspace; use /driver-proxy-api/o/0/... or o/${deps.workspaceId}/....`,
      );
    }
    let cluster: string;
    try {
      cluster = decodeURIComponent(rawCluster);
    } catch {
      throw malformedUrl();
    }
    if (!deps.clusters.has(cluster)) {
      throw new ApiError(
        400,
        "INVALID_PARAMETER_VALUE",
        `Cluster ${cluster} does not exist. Register it with --cluster ID or registerCluster(id).`,
      );
    }
    if (!hasClusterLevel(deps.clusters.acl(cluster), identity, "CAN_ATTACH_TO")) {
      throw permissionDenied(
        `User ${identity.name} does not have CAN_ATTACH_TO permission on cluster ${cluster}.`,
      );
    }
    const portNum = Number(port);
    if (!/^\d+$/.test(port) || portNum < 1 || portNum > 65535) {
      throw new ApiError(
        400,
        "INVALID_PARAMETER_VALUE",
        `Invalid driver port '${port}': use a number from 1 to 65535.`,
      );
    }
    const [min, max] = deps.ports;
    // One answer for a forbidden port and for a port nothing listens on, so the proxy is no port scanner.
    const unreachable = () =>
      new ApiError(
        502,
        "BAD_GATEWAY",
        `No app is reachable on port ${portNum} of the driver of cluster ${cluster}. Serve it on a port in [${min}, ${max}] on 0.0.0.0 (127.0.0.1 on the emulator).`,
      );
    if (portNum < min || portNum > max || portNum === deps.ownPort()) {
      fail(unreachable());
      return;
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !DROP.has(k)) headers[k] = v;
    headers.host = `127.0.0.1:${portNum}`;
    const upstream = httpRequest(
      { host: "127.0.0.1", port: portNum, method, path: `/${rest.join("/")}${query}`, headers },
      (up) => {
        const outHeaders: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers))
          if (v !== undefined && !DROP.has(k)) outHeaders[k] = v;
        res.writeHead(up.statusCode ?? 502, outHeaders);
        up.pipe(res);
        up.on("error", () => res.destroy());
        res.on("close", () => up.destroy());
        deps.record(method, path, up.statusCode ?? 502, principal);
      },
    );
    upstream.on("error", () => fail(unreachable()));
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  } catch (err) {
    fail(err);
  }
};
