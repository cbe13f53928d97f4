// The bare node:http baseline for the server suite: reads the request body (as the emulator must) and answers a
// fixed JSON body. Nothing can serve the same bytes faster on this runtime, so it is the denominator.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

export async function startBareServer(json: string): Promise<BareServer> {
  const bytes = Buffer.from(json, "utf8");
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": bytes.byteLength });
      res.end(bytes);
    });
  });
  server.keepAliveTimeout = 60_000;
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
