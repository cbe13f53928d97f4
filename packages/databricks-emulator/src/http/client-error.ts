import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";

/**
 * Node's HTTP parser errors (bad request line, invalid header characters, oversized headers, a body on a
 * malformed chunked encoding) never reach a route. Fastify's default answer is its own `{"error": "Bad Request"}`;
 * this one writes the Databricks envelope (spec/errors.md 1.4) with the fitting 4xx and closes the connection.
 */
export const clientErrorHandler = (err: NodeJS.ErrnoException, socket: Socket): void => {
  // A response already under way on this socket (the error came mid-body) cannot be followed by another one.
  const inFlight = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable || inFlight) {
    socket.destroy();
    return;
  }
  const status =
    err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const message =
    status === 431
      ? "Request headers are too large."
      : status === 408
        ? "The request was not received in time."
        : "Malformed HTTP request: the request line, headers or body framing could not be parsed.";
  const body = JSON.stringify({ error_code: status === 408 ? "REQUEST_TIMEOUT" : "BAD_REQUEST", message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};
