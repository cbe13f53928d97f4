import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BadRequestError, DatabricksStreamError, RequestLimitExceededError } from "../errors.js";
import { parseEvents, type SseEvent } from "./events.js";
import { parseJsonEvents } from "./json.js";
import { decodeLines } from "./lines.js";

const enc = new TextEncoder();

async function* chunksOf(parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? enc.encode(p) : p;
}

/** Splits bytes at the given cut points (sorted, deduplicated). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of points) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  out.push(bytes.subarray(prev));
  return out;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const events = (parts: Array<string | Uint8Array>) => collect(parseEvents(decodeLines(chunksOf(parts))));
const json = (parts: Array<string | Uint8Array>, expectDone = false) =>
  collect(parseJsonEvents(parseEvents(decodeLines(chunksOf(parts))), { expectDone, endpoint: "ep" }));

describe("decodeLines", () => {
  it("splits on LF, CRLF and lone CR, including CR at a chunk end followed by LF", async () => {
    expect(await collect(decodeLines(chunksOf(["a\nb\r\nc\rd", "\r", "\ne\n"])))).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
    ]);
  });
  it("decodes UTF-8 split inside a code point", async () => {
    const bytes = enc.encode("héllo ✓\n");
    expect(
      await collect(decodeLines(chunksOf([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)]))),
    ).toEqual(["héllo ✓"]);
  });
  it("yields a final unterminated line", async () => {
    expect(await collect(decodeLines(chunksOf(["x\ny"])))).toEqual(["x", "y"]);
  });
  it("bounds the line buffer", async () => {
    await expect(
      collect(decodeLines(chunksOf(["a".repeat(50), "b".repeat(60)]), 100)),
    ).rejects.toBeInstanceOf(DatabricksStreamError);
  });
});

describe("parseEvents", () => {
  it("implements the SSE grammar: comments, event, id, retry, multi-line data, optional space", async () => {
    const out = await events([
      ": keepalive\n",
      "event: delta\nid: 7\nretry: 10\ndata: a\ndata:b\n\n",
      "data\n\n",
    ]);
    expect(out).toEqual<SseEvent[]>([
      { event: "delta", data: "a\nb", id: "7", retry: 10 },
      { event: "message", data: "", id: "7", retry: undefined },
    ]);
  });
  it("does not dispatch events without data and ignores unknown fields", async () => {
    expect(await events(["event: ping\n\n", "foo: bar\ndata: x\n\n"])).toEqual([
      { event: "message", data: "x", id: undefined, retry: undefined },
    ]);
  });
  it("raises on EOF in the middle of an event", async () => {
    await expect(events(['data: {"a":1}\n\ndata: {"a":'])).rejects.toBeInstanceOf(DatabricksStreamError);
  });
  it("accepts a final [DONE] without its blank line", async () => {
    expect((await events(["data: [DONE]\n"]))[0]?.data).toBe("[DONE]");
  });
});

describe("parseJsonEvents", () => {
  it("parses JSON payloads and stops at [DONE] (ignoring anything after)", async () => {
    expect(await json(['data: {"a":1}\n\n', "data: [DONE]\n\n", 'data: {"a":2}\n\n'])).toEqual([{ a: 1 }]);
  });
  it("raises in-band errors as typed errors", async () => {
    await expect(
      json(['data: {"a":1}\n\n', 'data: {"error":{"message":"boom","code":"BAD_REQUEST"}}\n\n']),
    ).rejects.toBeInstanceOf(BadRequestError);
    await expect(
      json(['data: {"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow"}\n\n']),
    ).rejects.toBeInstanceOf(RequestLimitExceededError);
    await expect(json(["event: error\ndata: oops\n\n"])).rejects.toThrow(/oops/);
    await expect(json(['data: {"type":"error","message":"bad"}\n\n'])).rejects.toThrow(/bad/);
  });
  it("raises on non-JSON data with an excerpt", async () => {
    await expect(json(["data: nope\n\n"])).rejects.toThrow(/not valid JSON: "nope"/);
  });
  it("raises when [DONE] was expected but the stream ended", async () => {
    await expect(json(['data: {"a":1}\n\n'], true)).rejects.toThrow(/ended before/);
    expect(await json(['data: {"a":1}\n\n'], false)).toEqual([{ a: 1 }]);
  });
  it("skips empty data events and does not treat `error: null` as an error", async () => {
    expect(await json(["data: \n\n", 'data: {"x":1,"error":null}\n\n', "data: [DONE]\n\n"])).toEqual([
      { x: 1, error: null },
    ]);
  });
  it("gives the same result for any chunking of the byte stream (property)", async () => {
    const payloads = [
      { id: "c1", choices: [{ delta: { content: "héllo\nwörld ✓" } }] },
      { n: 2 },
      { s: "a:b" },
    ];
    const text =
      payloads.map((p, i) => `${i % 2 ? ": hb\r\n" : ""}data: ${JSON.stringify(p)}\r\n\r\n`).join("") +
      "data: [DONE]\n\n";
    const bytes = enc.encode(text);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 12 }), async (cuts) => {
        expect(await json(split(bytes, cuts), true)).toEqual(payloads);
      }),
      { numRuns: 200 },
    );
  });
});
