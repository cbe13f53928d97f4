import { type Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { isIP, connect as netConnect, type Socket } from "node:net";
import type { Transport, TransportRequest, TransportResponse } from "./transport.js";
import {
  abortError,
  classifyTransportFailure,
  describeTarget,
  streamIdleError,
  timeoutError,
  tooLargeError,
} from "./transport-errors.js";

/** Options of the built-in Node transport. */
export interface NodeTransportOptions {
  /** Extra trusted CA certificates (PEM). TLS verification always stays on. */
  ca?: string | string[];
}

interface SecureModules {
  https: typeof import("node:https");
  tls: typeof import("node:tls");
}

let secureModules: Promise<SecureModules> | undefined;

/** `node:https` and `node:tls` are loaded on the first https request, so loopback use and import stay light. */
function loadSecure(): Promise<SecureModules> {
  secureModules ??= Promise.all([import("node:https"), import("node:tls")]).then(([https, tls]) => ({
    https,
    tls,
  }));
  return secureModules;
}

/** What `node:http` passes to an agent's `addRequest`: the request options we built in `#exchange`. */
interface PoolRequestOptions {
  hostname: string;
  port: number;
}

/** The part of `ClientRequest` a pool uses. */
interface PooledRequest {
  reusedSocket: boolean;
  onSocket(socket: Socket): void;
}

/** TCP keep-alive probes on pooled sockets, as `http.Agent`'s default `keepAliveMsecs`. */
const KEEP_ALIVE_PROBE_MS = 1000;

/**
 * A keep-alive socket pool with the one method `node:http` asks of an agent, `addRequest`: an idle socket of the
 * origin is handed to the request (last used first), else a new one is opened. `node:http` still does all the
 * HTTP (headers, parsing, keep-alive decision) and gives the socket back with its `free` event once a response was
 * read to the end; a socket that closes or errors while idle leaves the pool. Idle sockets are unref'd, so they
 * never hold the process open. `http.Agent` does the same with per-request bookkeeping (option copies, name and
 * SNI computation, socket maps, timers) that cost ~30 us of CPU per request at 16 in flight on loopback (bench
 * `concurrency`, docs/performance.md "Issue 13"); this pool keeps only what a client of one or two origins needs.
 */
class SocketPool {
  // Read by node:http: keep-alive requests (`Connection: keep-alive`), and the protocol the agent serves.
  readonly keepAlive = true;
  readonly maxSockets = Number.POSITIVE_INFINITY;
  readonly protocol: "http:" | "https:";
  readonly defaultPort: number;
  readonly #idle = new Map<string, Socket[]>();
  readonly #open = new Set<Socket>();
  readonly #connect: (options: PoolRequestOptions) => Socket;

  constructor(protocol: "http:" | "https:", connect: (options: PoolRequestOptions) => Socket) {
    this.protocol = protocol;
    this.defaultPort = protocol === "https:" ? 443 : 80;
    this.#connect = connect;
  }

  addRequest(req: PooledRequest, options: PoolRequestOptions): void {
    const key = `${options.hostname}:${options.port}`;
    const idle = this.#idle.get(key);
    let socket = idle?.pop();
    while (socket?.destroyed) socket = idle?.pop();
    if (socket) {
      socket.removeListener("error", destroyIdle);
      socket.ref();
      req.reusedSocket = true;
      req.onSocket(socket);
      return;
    }
    const fresh = this.#connect(options);
    fresh.setNoDelay(true);
    fresh.setKeepAlive(true, KEEP_ALIVE_PROBE_MS);
    this.#open.add(fresh);
    fresh.on("free", () => this.#release(key, fresh));
    fresh.on("close", () => {
      this.#open.delete(fresh);
      const list = this.#idle.get(key);
      const at = list ? list.indexOf(fresh) : -1;
      if (at !== -1) list?.splice(at, 1);
    });
    req.onSocket(fresh);
  }

  /** A response was read to the end on `socket` and node:http kept the connection: park it. */
  #release(key: string, socket: Socket): void {
    if (socket.destroyed || !socket.writable) return;
    socket.unref();
    // Idle sockets have no request to report an error to: a reset while idle just closes the socket.
    socket.once("error", destroyIdle);
    let list = this.#idle.get(key);
    if (!list) {
      list = [];
      this.#idle.set(key, list);
    }
    list.push(socket);
  }

  destroy(): void {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
    this.#idle.clear();
  }
}

function destroyIdle(this: Socket): void {
  this.destroy();
}

/** Keep-alive pools, one per scheme. */
class Pools {
  readonly http = new SocketPool("http:", (o) => netConnect({ host: o.hostname, port: o.port }));
  #https: SocketPool | undefined;
  readonly #ca: string | string[] | undefined;

  constructor(ca?: string | string[]) {
    this.#ca = ca;
  }

  https(tls: SecureModules["tls"]): SocketPool {
    this.#https ??= new SocketPool("https:", (o) =>
      tls.connect({
        host: o.hostname,
        port: o.port,
        // SNI names a host, never an IP literal (as node:https does); the certificate is checked against host.
        ...(isIP(o.hostname) === 0 ? { servername: o.hostname } : {}),
        ...(this.#ca ? { ca: this.#ca } : {}),
      }),
    );
    return this.#https;
  }

  destroy(): void {
    this.http.destroy();
    this.#https?.destroy();
  }
}

let sharedPools: Pools | undefined;

interface Target {
  secure: boolean;
  hostname: string;
  port: number;
  /** `Host` header value: the port only when it is not the scheme's default, IPv6 literals bracketed. */
  host: string;
}

/** Parsing a URL costs more than the rest of building a request; a client talks to one or two origins. */
const targets = new Map<string, Target>();

function targetOf(origin: string): Target {
  let t = targets.get(origin);
  if (!t) {
    const url = new URL(origin);
    const secure = url.protocol === "https:";
    t = {
      secure,
      // URL keeps IPv6 literals bracketed; node:http wants them bare.
      hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      host: url.host,
    };
    if (targets.size > 64) targets.clear();
    targets.set(origin, t);
  }
  return t;
}

const DISCARD_LIMIT_BYTES = 64 * 1024;

/**
 * Node transport on the platform's own `node:http`/`node:https` with keep-alive pools. On loopback it is as fast
 * as a raw `undici.request` (bench `latency`), costs nothing to import and nothing in a bundle, and verifies
 * TLS with the system CAs plus `ca`. Redirects are returned, not followed: the client decides what to resend.
 */
export class NodeTransport implements Transport {
  readonly #pools: Pools;
  readonly #owned: boolean;

  constructor(options: NodeTransportOptions = {}) {
    if (options.ca === undefined) {
      sharedPools ??= new Pools();
      this.#pools = sharedPools;
      this.#owned = false;
    } else {
      this.#pools = new Pools(options.ca);
      this.#owned = true;
    }
  }

  send(req: TransportRequest): Promise<TransportResponse> {
    const target = targetOf(req.origin);
    if (!target.secure) return this.#exchange(req, target, httpRequest, this.#pools.http);
    return loadSecure().then((mods) =>
      this.#exchange(req, target, mods.https.request, this.#pools.https(mods.tls)),
    );
  }

  #exchange(
    req: TransportRequest,
    target: Target,
    request: typeof httpRequest,
    pool: SocketPool,
  ): Promise<TransportResponse> {
    // A flat [name, value, ...] list: node:http then writes the header block at once (still validating every
    // name and value) instead of one setHeader call per header, ~12 µs less per request on loopback.
    let host = target.host;
    const headers: string[] = [];
    for (const name in req.headers) {
      const lower = name.toLowerCase();
      if (lower === "host") host = req.headers[name] as string;
      else if (lower !== "content-length") headers.push(name, req.headers[name] as string);
    }
    headers.push("host", host);
    if (req.body !== undefined) headers.push("content-length", String(Buffer.byteLength(req.body)));
    const options = {
      hostname: target.hostname,
      port: target.port,
      path: req.path,
      method: req.method,
      headers,
      signal: req.signal,
      // node:http only calls `addRequest` and reads `keepAlive`, `maxSockets`, `protocol` and `defaultPort`.
      agent: pool as unknown as HttpAgent,
    };
    return new Promise<TransportResponse>((resolve, reject) => {
      let timedOut = false;
      const outgoing = request(options);
      const fail = (e: unknown) => {
        const where = describeTarget(req.method, req.origin, req.path);
        if (timedOut) return timeoutError(where, req.timeoutMs, e);
        if (req.signal?.aborted) return abortError(where, e);
        return classifyTransportFailure(e, where, req.timeoutMs, req.signal);
      };
      const expire = () => {
        timedOut = true;
        outgoing.destroy();
      };
      // One deadline for connecting, sending and the response headers, streams included: a socket idle timer
      // would be reset by every trickled header line. Non-streaming calls keep it until the body is read;
      // streams switch to an idle timer between chunks (NodeResponse.body).
      const deadline = setTimeout(expire, req.timeoutMs);
      outgoing.on("error", (e) => {
        clearTimeout(deadline);
        reject(fail(e));
      });
      outgoing.on("response", (res) => {
        if (req.stream) clearTimeout(deadline);
        resolve(new NodeResponse(res, req, () => clearTimeout(deadline), fail));
      });
      outgoing.end(req.body);
    });
  }

  async close(): Promise<void> {
    if (!this.#owned) return;
    this.#pools.destroy();
  }
}

class NodeResponse implements TransportResponse {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly #res: IncomingMessage;
  readonly #req: TransportRequest;
  readonly #done: () => void;
  readonly #fail: (e: unknown) => Error;

  constructor(res: IncomingMessage, req: TransportRequest, done: () => void, fail: (e: unknown) => Error) {
    this.status = res.statusCode ?? 0;
    this.headers = res.headers;
    this.#res = res;
    this.#req = req;
    this.#done = done;
    this.#fail = fail;
  }

  #tooLarge(maxBytes: number, declared: number | undefined): Error {
    const r = this.#req;
    return tooLargeError(r.method, r.origin, r.path, this.status, this.headers, maxBytes, declared);
  }

  text(maxBytes = Number.POSITIVE_INFINITY, truncate = false): Promise<string> {
    const res = this.#res;
    const declared = res.headers["content-length"];
    if (declared !== undefined && !truncate && Number(declared) > maxBytes) {
      // Refused before reading a byte: the socket goes, the body never arrives.
      this.#done();
      res.destroy();
      return Promise.reject(this.#tooLarge(maxBytes, Number(declared)));
    }
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBytes) {
          chunks.push(chunk);
          return;
        }
        // Over the bound: stop reading and drop the connection (the rest may be endless).
        this.#done();
        res.removeAllListeners("data");
        res.destroy();
        if (!truncate) return reject(this.#tooLarge(maxBytes, undefined));
        chunks.push(chunk.subarray(0, chunk.length - (size - maxBytes)));
        resolve(Buffer.concat(chunks).toString("utf8"));
      });
      res.on("end", () => {
        this.#done();
        resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8"));
      });
      // A socket destroyed mid-body (reset, timeout, abort) ends the message with an error or "aborted".
      res.on("error", (e) => {
        this.#done();
        reject(this.#fail(e));
      });
    });
  }

  body(): AsyncIterable<Uint8Array> {
    const res = this.#res;
    const req = this.#req;
    const done = this.#done;
    const fail = this.#fail;
    return {
      async *[Symbol.asyncIterator]() {
        // Idle bound between chunks (the headers had their own deadline): a socket timer, reset by every chunk.
        const idleMs = req.idleTimeoutMs ?? req.timeoutMs;
        let idle = false;
        res.setTimeout(idleMs, () => {
          idle = true;
          res.destroy();
        });
        try {
          for await (const chunk of res) yield chunk as Uint8Array;
          // A connection closed before the message was complete ends the iteration without an error.
          if (!res.complete) throw Object.assign(new Error("response ended early"), { code: "ECONNRESET" });
        } catch (e) {
          if (idle) throw streamIdleError(describeTarget(req.method, req.origin, req.path), idleMs, e);
          throw fail(e);
        } finally {
          done();
          // Consumer stopped early (break / return): drop the socket instead of draining an endless stream.
          if (!res.complete) res.destroy();
          else res.socket?.setTimeout(0);
        }
      },
    };
  }

  discard(): void {
    this.#done();
    const res = this.#res;
    // Small error/redirect bodies: drain so the socket can be reused; a large one is not worth reading.
    const length = Number(res.headers["content-length"] ?? Number.NaN);
    if (length > DISCARD_LIMIT_BYTES) res.destroy();
    else res.resume();
  }
}
