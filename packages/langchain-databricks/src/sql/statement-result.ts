/**
 * Reading a statement's result: chunks INLINE or from EXTERNAL_LINKS (fetched in parallel, never with the
 * workspace token), and rows converted by column type.
 * Wire shapes: packages/databricks-emulator/spec/sql.md "Statements".
 */
import { DatabricksConfigError, DatabricksError } from "../errors.js";
import { abortError, sleep } from "./abortable-sleep.js";
import type {
  ChunkInfo,
  ColumnInfo,
  ExternalLink,
  ReadOptions,
  ResultData,
  ResultManifest,
  StatementResponse,
} from "./statement-types.js";

/** What a result needs of its client (`StatementExecutionClient`): one chunk of a statement's result. */
export interface ChunkSource {
  getChunk(statementId: string, chunkIndex: number, options?: { signal?: AbortSignal }): Promise<ResultData>;
}

/** Converts a JSON_ARRAY cell (a string) by its column type. */
export const convertCell = (v: string | null, col: ColumnInfo): unknown => {
  if (v === null) return null;
  switch (col.type_name) {
    case "INT":
    case "SHORT":
    case "BYTE":
    case "FLOAT":
    case "DOUBLE":
      return Number(v);
    case "LONG": {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : BigInt(v);
    }
    case "BOOLEAN":
      return v === "true";
    case "ARRAY":
    case "MAP":
    case "STRUCT":
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    default:
      return v;
  }
};

/** The result of `StatementExecutionClient.execute`: manifest plus readers over every chunk. */
export class StatementResult {
  constructor(
    private readonly client: ChunkSource,
    readonly response: StatementResponse,
  ) {}

  get statementId(): string {
    return this.response.statement_id;
  }
  get manifest(): ResultManifest {
    return this.response.manifest!;
  }
  get columns(): ColumnInfo[] {
    return this.manifest.schema.columns ?? [];
  }
  get truncated(): boolean {
    return this.manifest.truncated ?? false;
  }
  get totalRowCount(): number {
    return this.manifest.total_row_count ?? 0;
  }

  /** Each chunk's payload in order: JSON_ARRAY rows, CSV text or Arrow IPC bytes. */
  async *chunks(
    options: ReadOptions = {},
  ): AsyncGenerator<{ chunk: ChunkInfo; rows?: (string | null)[][]; bytes?: Uint8Array }> {
    const total = this.manifest.total_chunk_count ?? 0;
    const first = this.response.result;
    if (total === 0 || !first) return;
    if (first.data_array !== undefined || first.external_links === undefined) {
      // INLINE: chunk 0 came with the response; follow next_chunk_internal_link.
      let cur: ResultData | undefined = first;
      while (cur) {
        yield { chunk: cur, rows: cur.data_array ?? [] };
        if (cur.next_chunk_index === undefined) break;
        cur = await this.client.getChunk(this.statementId, cur.next_chunk_index, { signal: options.signal });
      }
      return;
    }
    // EXTERNAL_LINKS: a sliding window of `concurrency` downloads, yielded in chunk order.
    const concurrency = Math.max(1, options.concurrency ?? 4);
    const pending = new Map<number, Promise<{ chunk: ChunkInfo; bytes: Uint8Array }>>();
    let next = 0;
    const start = (i: number) => {
      const link =
        i === 0
          ? Promise.resolve(first)
          : this.client.getChunk(this.statementId, i, { signal: options.signal });
      const p = link.then(async (data) => {
        const l = data.external_links?.[0];
        if (!l)
          throw new DatabricksError(`Chunk ${i} of statement ${this.statementId} has no external link.`);
        return { chunk: l as ChunkInfo, bytes: await downloadLink(l, options.signal) };
      });
      p.catch(() => undefined);
      pending.set(i, p);
    };
    for (let yielded = 0; yielded < total; yielded++) {
      while (next < total && next < yielded + concurrency) start(next++);
      const got = await pending.get(yielded)!;
      pending.delete(yielded);
      if (this.manifest.format === "JSON_ARRAY") {
        yield {
          chunk: got.chunk,
          rows: JSON.parse(new TextDecoder().decode(got.bytes)) as (string | null)[][],
        };
      } else yield { chunk: got.chunk, bytes: got.bytes };
    }
  }

  /** Rows as arrays (JSON_ARRAY only), converted by column type unless `raw`. */
  async *rows(options: ReadOptions = {}): AsyncGenerator<unknown[]> {
    if (this.manifest.format !== "JSON_ARRAY") {
      throw new DatabricksConfigError(
        `rows() reads JSON_ARRAY results; this result is ${this.manifest.format} (use chunks()).`,
      );
    }
    const cols = this.columns;
    for await (const c of this.chunks(options)) {
      for (const r of c.rows ?? []) yield options.raw ? r : r.map((v, i) => convertCell(v, cols[i]!));
    }
  }

  /** Rows as objects keyed by column name. */
  async *objects(options: ReadOptions = {}): AsyncGenerator<Record<string, unknown>> {
    const names = this.columns.map((c) => c.name);
    for await (const r of this.rows(options)) {
      const o: Record<string, unknown> = {};
      names.forEach((n, i) => {
        o[n] = r[i];
      });
      yield o;
    }
  }

  /** Every row as an object. */
  async toArray(options: ReadOptions = {}): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for await (const o of this.objects(options)) out.push(o);
    return out;
  }
}

const LINK_ATTEMPTS = 4;

/** Downloads an external link: plain fetch with only the link's own headers, never `Authorization`. */
const downloadLink = async (link: ExternalLink, signal?: AbortSignal): Promise<Uint8Array> => {
  if (signal?.aborted) throw abortError();
  const headers = { ...(link.http_headers ?? {}) };
  for (const k of Object.keys(headers)) if (k.toLowerCase() === "authorization") delete headers[k];
  let res: Response | undefined;
  // Connection failures (a reused socket closed by the server, a reset) and 5xx are retried like any storage GET.
  for (let attempt = 1; ; attempt++) {
    try {
      res = await fetch(link.external_link, { headers, signal });
      if (res.status < 500 || attempt >= LINK_ATTEMPTS) break;
      await res.body?.cancel();
    } catch (e) {
      if (signal?.aborted) throw abortError();
      if (attempt >= LINK_ATTEMPTS) {
        throw new DatabricksError(
          `Downloading result chunk ${link.chunk_index} failed: ${(e as Error).message}`,
          {
            cause: e,
          },
        );
      }
    }
    await sleep(100 * 2 ** (attempt - 1), signal);
  }
  if (!res.ok) {
    const text = (await res.text()).slice(0, 300);
    const expired = Date.parse(link.expiration) <= Date.now() || /expired/i.test(text);
    throw new DatabricksError(
      `Downloading result chunk ${link.chunk_index} failed with HTTP ${res.status}${expired ? " (the link expired: fetch the chunk again)" : ""}.`,
      { status: res.status },
    );
  }
  return new Uint8Array(await res.arrayBuffer());
};
