import { existsSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { TLSSocket } from "node:tls";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketHandler, PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { pgTemplate } from "./template.js";

/**
 * The Postgres wire endpoint of one Lakebase instance (packages/databricks-emulator/spec/lakebase.md): a loopback TCP server
 * that performs the startup and password exchange itself, then hands the socket to `@electric-sql/pglite-socket`'s
 * handler, which serves it from one PGlite database (several client connections at once: pglite-socket's query
 * queue runs one message at a time and keeps a transaction's connection exclusive until it ends).
 *
 * pglite-socket has no authentication hook, so the handshake is done here: SSLRequest is answered `S` and the rest
 * runs inside TLS (self-signed certificate) when `tls` is given, `N` otherwise (GSSENCRequest always `N`); the
 * StartupMessage is read, `AuthenticationCleartextPassword` is requested and the password checked
 * with `verify`; a refused login gets Postgres's own `FATAL 28P01 password authentication failed for user "..."`
 * and the socket is closed. An accepted login replays the StartupMessage into PGlite, which answers
 * AuthenticationOk, ParameterStatus and ReadyForQuery as a server does.
 */

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Largest StartupMessage / PasswordMessage accepted before the login completes. */
const MAX_LOGIN_MESSAGE = 64 * 1024;
/** Databases a login may name: the real service's default database, and PGlite's own. */
const DATABASES = new Set(["databricks_postgres", "postgres"]);

export interface WireOptions {
  /** PGlite data directory (durable); in memory when omitted. */
  dataDir?: string;
  /** True when `password` is a valid, unexpired credential of the Postgres user `user`. */
  verify(user: string, password: string): boolean;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Certificate for `sslmode=require` clients (SSLRequest answered `S`); without it SSLRequest gets `N`. */
  tls?: { key: string; cert: string };
}

/** A Postgres ErrorResponse ('E') with severity FATAL. */
export const fatal = (sqlstate: string, message: string): Buffer => {
  const fields: [string, string][] = [
    ["S", "FATAL"],
    ["V", "FATAL"],
    ["C", sqlstate],
    ["M", message],
  ];
  const body = Buffer.concat([
    ...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`, "utf8")),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write("E", 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

const AUTH_CLEARTEXT = (() => {
  const b = Buffer.alloc(9);
  b.write("R", 0, "latin1");
  b.writeInt32BE(8, 1);
  b.writeInt32BE(3, 5);
  return b;
})();

const parseStartupParams = (msg: Buffer): Record<string, string> => {
  const parts = msg.subarray(8).toString("utf8").split("\0");
  const params: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const k = parts[i];
    if (k) params[k] = parts[i + 1] ?? "";
  }
  return params;
};

/** What pglite-socket keeps private but its handler needs: the shared per-database query queue. */
type QueryQueue = ConstructorParameters<typeof PGLiteSocketHandler>[0]["queryQueue"];

export class PgWire {
  #port = 0;
  readonly #server: Server;
  readonly #db: PGlite;
  readonly #queue: QueryQueue;
  readonly #sockets = new Set<Socket>();
  readonly #handlers = new Set<PGLiteSocketHandler>();
  #closed: Promise<void> | undefined;

  readonly #tls: WireOptions["tls"];

  private constructor(db: PGlite, queue: QueryQueue, options: WireOptions) {
    this.#db = db;
    this.#queue = queue;
    this.#tls = options.tls;
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      this.#login(socket, options.verify);
    });
  }

  /** Opens (or creates) the database, with pgvector loaded, and listens on a random loopback port. */
  static async start(options: WireOptions): Promise<PgWire> {
    const fresh = !options.dataDir || !existsSync(join(options.dataDir, "PG_VERSION"));
    const db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(fresh ? { loadDataDir: await pgTemplate() } : {}),
      extensions: { vector },
    });
    // The socket server is never started: it only builds the query queue its handlers share (not exported).
    const queue = (new PGLiteSocketServer({ db }) as unknown as { queryQueue?: QueryQueue }).queryQueue;
    if (!queue) {
      await db.close();
      throw new Error("@electric-sql/pglite-socket changed: PGLiteSocketServer has no queryQueue");
    }
    const wire = new PgWire(db, queue, options);
    await new Promise<void>((resolve, reject) => {
      wire.#server.once("error", reject);
      wire.#server.listen(0, options.host ?? "127.0.0.1", () => resolve());
    });
    const address = wire.#server.address();
    wire.#port = typeof address === "object" && address ? address.port : 0;
    return wire;
  }

  /** The TCP port (random, loopback). */
  get port(): number {
    return this.#port;
  }

  /** Open client connections. */
  get connections(): number {
    return this.#sockets.size;
  }

  #login(raw: Socket, verify: WireOptions["verify"]): void {
    /** The client's stream: the TCP socket, or the TLS socket on top of it after an accepted SSLRequest. */
    let socket: Socket = raw;
    let buf: Buffer = Buffer.alloc(0);
    let startup: Buffer | undefined;
    let params: Record<string, string> = {};
    const refuse = (sqlstate: string, message: string) => {
      socket.off("data", onData);
      socket.end(fatal(sqlstate, message));
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        if (!startup) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (len < 8 || len > MAX_LOGIN_MESSAGE) return refuse("08P01", "invalid length of startup packet");
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          const msg = buf.subarray(0, len);
          buf = buf.subarray(len);
          if (code === SSL_REQUEST && this.#tls && socket === raw && buf.length === 0) {
            // Postgres STARTTLS: answer 'S', then the whole login runs inside TLS.
            raw.off("data", onData);
            raw.write("S");
            const secure = new TLSSocket(raw, { isServer: true, key: this.#tls.key, cert: this.#tls.cert });
            secure.on("error", () => raw.destroy());
            secure.on("data", onData);
            socket = secure;
            return;
          }
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write("N");
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.off("data", onData);
            socket.end();
            return;
          }
          if (code !== PROTOCOL_3) {
            return refuse("0A000", `unsupported frontend protocol ${code >> 16}.${code & 0xffff}`);
          }
          params = parseStartupParams(msg);
          if (!params.user) return refuse("28000", "no PostgreSQL user name specified in startup packet");
          startup = Buffer.from(msg);
          socket.write(AUTH_CLEARTEXT);
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf[0] !== 0x70 /* 'p' */ || len < 4 || len > MAX_LOGIN_MESSAGE) {
          return refuse("08P01", "expected password response");
        }
        if (buf.length < len + 1) return;
        const password = buf
          .subarray(5, len + 1)
          .toString("utf8")
          .replace(/\0$/, "");
        const rest = buf.subarray(len + 1);
        const user = params.user ?? "";
        if (!verify(user, password)) {
          return refuse("28P01", `password authentication failed for user "${user}"`);
        }
        // As Postgres does: the database is checked after authentication.
        const database = params.database ?? user;
        if (!DATABASES.has(database)) return refuse("3D000", `database "${database}" does not exist`);
        socket.off("data", onData);
        socket.pause();
        socket.unshift(rest.length > 0 ? Buffer.concat([startup, rest]) : startup);
        const handler = new PGLiteSocketHandler({ queryQueue: this.#queue, closeOnDetach: true });
        this.#handlers.add(handler);
        socket.once("close", () => setTimeout(() => this.#handlers.delete(handler), 1_000));
        handler.attach(socket).then(
          () => socket.resume(),
          () => socket.destroy(),
        );
        return;
      }
    };
    socket.on("data", onData);
  }

  /** Closes every connection (clients see the socket end mid-session), stops listening and closes the database. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await new Promise<void>((resolve) => {
        this.#server.close(() => resolve());
        for (const s of this.#sockets) s.destroy();
      });
      // Handlers detach asynchronously (rolling back an open transaction) and the queue drains: both call into
      // PGlite, so wait for them (bounded) before the database goes.
      const q = this.#queue as unknown as { getQueueLength(): number; processing?: boolean };
      const busy = () =>
        q.getQueueLength() > 0 || q.processing || [...this.#handlers].some((h) => h.isAttached);
      for (let i = 0; i < 400 && busy(); i++) await new Promise((r) => setTimeout(r, 5));
      this.#handlers.clear();
      await this.#db.close();
    })();
    return this.#closed;
  }
}
