/** Body of a driver-proxy call: the prompt, optional stop sequences, and any extra parameters. */
export type DriverProxyRequest = Record<string, unknown> & { prompt: string; stop?: string[] };

/** Outcome of validating a request body: the request, or a message for the 400 response. */
export type ValidationResult = { ok: true; request: DriverProxyRequest } | { ok: false; error: string };

/** Validates the seed's input schema: `{prompt: string, stop?: string[]}` plus free-form extras. */
export function validateDriverProxyRequest(raw: string): ValidationResult {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'Request body must be JSON like {"prompt": "...", "stop": ["..."]}.' };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, error: 'Request body must be a JSON object like {"prompt": "..."}.' };
  }
  const record = body as Record<string, unknown>;
  if (typeof record.prompt !== "string") {
    return { ok: false, error: '"prompt" is required and must be a string.' };
  }
  if (record.stop === null) delete record.stop;
  if (record.stop !== undefined) {
    if (!Array.isArray(record.stop) || !record.stop.every((s) => typeof s === "string")) {
      return { ok: false, error: '"stop" must be an array of strings, e.g. ["\\n\\n"].' };
    }
  }
  return { ok: true, request: record as DriverProxyRequest };
}

/** Cuts the output at the first stop sequence (the model may have generated it before stopping). */
export function trimAtStop(text: string, stop: string[] | undefined): string {
  if (!stop || stop.length === 0) return text;
  let cut = text.length;
  for (const s of stop) {
    if (s === "") continue;
    const at = text.indexOf(s);
    if (at !== -1 && at < cut) cut = at;
  }
  return text.slice(0, cut);
}
