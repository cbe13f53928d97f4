import { isLoopbackHostname } from "../auth/host.js";
import { ConnectionError } from "../errors.js";
import { headerValue, type Transport, type TransportRequest, type TransportResponse } from "./transport.js";
import { describeTarget } from "./transport-errors.js";

/** Hops followed before giving up. */
export const MAX_REDIRECTS = 5;

/** A final (non-redirect) response and where it came from. */
export interface Exchange {
  res: TransportResponse;
  origin: string;
  path: string;
}

/**
 * Sends `req` and follows up to {@link MAX_REDIRECTS} redirects by hand; `Authorization` is dropped as soon as the
 * origin changes, plain `http://` is refused off loopback unless `allowInsecureHttp`, and 303 (or 301/302 after a
 * non-GET) becomes a GET without body, as browsers and fetch do. Not an async function: nearly every answer is
 * not a redirect and then costs one `then` instead of an async frame per request (bench `concurrency`).
 */
export function sendFollowingRedirects(
  transport: Transport,
  req: TransportRequest,
  allowInsecureHttp: boolean,
): Promise<Exchange> {
  return transport
    .send(req)
    .then((res) =>
      isRedirect(res)
        ? followRedirects(transport, req, res, allowInsecureHttp)
        : { res, origin: req.origin, path: req.path },
    );
}

/** A 3xx (not 304) with a `Location`: the only answers that are followed. */
function isRedirect(res: TransportResponse): boolean {
  const status = res.status;
  return (
    status >= 300 && status < 400 && status !== 304 && headerValue(res.headers, "location") !== undefined
  );
}

/** The redirect loop, from the first answer `first` (a redirect) of `req`. */
async function followRedirects(
  transport: Transport,
  req: TransportRequest,
  first: TransportResponse,
  allowInsecureHttp: boolean,
): Promise<Exchange> {
  const { origin: firstOrigin, path: firstPath, method: firstMethod } = req;
  let { origin, path, method, headers, body } = req;
  let res = first;
  for (let hop = 0; ; hop++) {
    if (hop > 0) {
      res = await transport.send({
        origin,
        path,
        method,
        headers,
        body,
        signal: req.signal,
        timeoutMs: req.timeoutMs,
        idleTimeoutMs: req.idleTimeoutMs,
        stream: req.stream,
      });
      if (!isRedirect(res)) return { res, origin, path };
    }
    const status = res.status;
    const location = headerValue(res.headers, "location") as string;
    res.discard();
    if (hop >= MAX_REDIRECTS) {
      throw new ConnectionError(
        `Too many redirects (> ${MAX_REDIRECTS}) from ${describeTarget(firstMethod, firstOrigin, firstPath)}.`,
        { transient: false },
      );
    }
    let next: URL;
    try {
      next = new URL(location, origin + path);
    } catch {
      throw new ConnectionError(`Invalid redirect Location from ${describeTarget(method, origin, path)}.`, {
        transient: false,
      });
    }
    if (next.protocol !== "https:" && next.protocol !== "http:") {
      throw new ConnectionError(`Refusing redirect to ${next.protocol} URL.`, { transient: false });
    }
    if (next.protocol === "http:" && !isLoopbackHostname(next.hostname) && !allowInsecureHttp) {
      throw new ConnectionError(
        `Refusing redirect to plain http://${next.host} (set allowInsecureHttp to allow).`,
        { transient: false },
      );
    }
    if (next.origin !== firstOrigin && headers.authorization !== undefined) {
      const { authorization: _dropped, ...rest } = headers;
      headers = rest;
    }
    if (status === 303 || ((status === 301 || status === 302) && method !== "GET" && method !== "HEAD")) {
      method = "GET";
      body = undefined;
      const { "content-type": _contentType, ...rest } = headers;
      headers = rest;
    }
    origin = next.origin;
    path = next.pathname + next.search;
  }
}
