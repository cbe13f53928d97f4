import { StreamError } from "../errors.js";

/** Default bound on one line (and one event's accumulated data), in characters: 8 MiB. */
export const DEFAULT_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/**
 * Bytes -> lines. Decodes UTF-8 across chunk boundaries and splits on CRLF, LF or lone CR (the SSE line
 * grammar). A CR at the end of a chunk is held back until the next chunk shows whether LF follows.
 * The final line is yielded at EOF even without a terminator. A line longer than `maxLineLength` raises a
 * typed error instead of buffering without bound.
 */
export async function* decodeLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder("utf-8");
  let buf = "";
  let pendingCr = false;
  const split = function* (text: string, final: boolean): Generator<string> {
    let s = text;
    if (pendingCr) {
      pendingCr = false;
      if (s.startsWith("\n")) s = s.slice(1);
    }
    // Only the new text can hold a line break: the held-back part had none (a long line stays linear).
    const from = buf.length;
    buf += s;
    let start = 0;
    for (let i = from; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      yield buf.slice(start, i);
      if (c === 13) {
        if (i + 1 < buf.length) {
          if (buf.charCodeAt(i + 1) === 10) i++;
        } else if (!final) {
          pendingCr = true;
        }
      }
      start = i + 1;
    }
    buf = buf.slice(start);
    if (buf.length > maxLineLength) {
      throw new StreamError(
        `Stream line exceeds ${maxLineLength} characters without a line break; the response is not a valid event stream.`,
      );
    }
  };
  for await (const chunk of chunks) {
    yield* split(decoder.decode(chunk, { stream: true }), false);
  }
  yield* split(decoder.decode(), true);
  if (buf !== "") yield buf;
}
