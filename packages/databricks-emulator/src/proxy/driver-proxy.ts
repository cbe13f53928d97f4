import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { authenticate } from "../auth/authenticate.js";
import type { Identity } from "../auth/identity.js";
import type { AuthStore } from "../auth/store.js";
import type { EmulatorContext } from "../context.js";
import { ApiError, notFound, permissionDenied } from "../errors.js";
import { malformedUrl } from "../http/envelope.js";
import { admit, newRequestId, pathOf, recordRequest, writeError } from "../http/pipeline.js";
import { hasClusterLevel } from "./cluster-acl.js";
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
  /** Called once per proxied request with the final status (the request log). */
  record(method: string, path: string, status: number, principal: string | undefined): void;
}

/** The driver-proxy dependencies of a workspace, its answers logged as `/driver-proxy-api/o/*`. */
export const driverProxyDeps = (
  ctx: EmulatorContext,
  target: Pick<DriverProxyDeps, "ports" | "ownPort">,
): DriverProxyDeps => ({
  auth: ctx.auth,
  clusters: ctx.clusters,
  workspaceId: ctx.workspaceId,
  ...target,
  record: (method, path, status, principal) =>
    recordRequest(
      ctx.stats,
      ctx.clock,
      { method, path, route: `${DRIVER_PROXY_PREFIX}*`, status, principal, fault: null },
      undefined,
    ),
});

/**
 * Cluster driver proxy (spec/driver-proxy.md 5): `/driver-proxy-api/o/{0|workspaceId}/{clusterId}/{port}/...` is forwarded
 * to `127.0.0.1:{port}/...` with any method, body and streamed response. Runs below Fastify so request and
 * response bodies stream through untouched.
 */
export const handleDriverProxy = (req: IncomingMessage, res: ServerResponse, deps: DriverProxyDeps): void => {
  const requestId = newRequestId();
  const url = req.url ?? "/";
  const method = req.method ?? "GET";
  const path = pathOf(url);
  const query = url.slice(path.length);
  let principal: string | undefined;
  const fail = (err: unknown) => {
    req.resume();
    deps.record(method, path, writeError(res, err, requestId, null), principal);
  };
  // Pipeline stages: no fault gate (faults target workspace APIs); always a real token, even with auth off.
  const admission = {
    method,
    path,
    authorization: req.headers.authorization,
    requestId,
    faults: undefined,
    identify: (header: string | undefined, id: string) => authenticate(header, deps.auth, id),
  };
  admit(admission, (err, _fault, identity) => {
    if (err || !identity) return fail(err);
    principal = identity.name;
    forward(req, res, deps, { method, path, query, identity, fail });
  });
};

interface Forwarding {
  method: string;
  path: string;
  query: string;
  identity: Identity;
  fail(err: unknown): void;
}

/** Checks the target (workspace, cluster, port) and streams the request to the app and its answer back. */
const forward = (
  req: IncomingMessage,
  res: ServerResponse,
  deps: DriverProxyDeps,
  { method, path, query, identity, fail }: Forwarding,
): void => {
  try {
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
        deps.record(method, path, up.statusCode ?? 502, identity.name);
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
