import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An OIDC token endpoint that refuses every client and echoes the request back in its error, as careless servers
 * do: the `Authorization` header verbatim, the form body, and the Basic credentials decoded and re-serialised as
 * `client_id=...&client_secret=...`. Every form a client secret can take ends up in the error text.
 */
export async function startEchoOAuthServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/oidc/.well-known/oauth-authorization-server")) {
      const { port } = server.address() as AddressInfo;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ token_endpoint: `http://127.0.0.1:${port}/oidc/v1/token` }));
      return;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => {
      const auth = req.headers.authorization ?? "";
      const decoded = Buffer.from(auth.replace(/^Basic /, ""), "base64").toString("utf8");
      const [id, secret] = decoded.split(":");
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          error: "invalid_client",
          error_description: `Rejected request: authorization=${auth}; body=${body}; client_id=${id}&client_secret=${secret}`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
