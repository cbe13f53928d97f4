/** Tiny fetch wrapper for the emulator's own integration tests (loopback only). */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export interface Target {
  url: string;
  token: string;
}

export const call = async (
  emu: Target,
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string | null; headers?: Record<string, string>; raw?: string } = {},
): Promise<Reply> => {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? emu.token : opts.token;
  if (token !== null && !headers.authorization) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined = opts.raw;
  if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  const res = await fetch(new URL(path, emu.url), {
    method,
    headers,
    body: payload,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === "object" && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    // Non-JSON bodies (SSE, truncated faults) are asserted through `text`.
  }
  return { status: res.status, headers: res.headers, text, json };
};

export const customEndpointBody = (name: string, entityName = "cat.sch.m", version = "1") => ({
  name,
  config: { served_entities: [{ entity_name: entityName, entity_version: version, workload_size: "Small" }] },
});

/** SSE `data:` payloads of a response body, in order (the `[DONE]` marker included as a string). */
export const sseData = (text: string): string[] =>
  text
    .split("\n")
    .filter((l) => l.startsWith("data: "))
    .map((l) => l.slice(6));
