import { SECRET_REF_RE } from "../control/external-model.js";
import type { ServedEntity } from "../control/types.js";
import { ApiError, invalidParameter } from "../errors.js";
import type { SecretsStore } from "../secrets/store.js";
import { isObject, type JsonObject } from "../util/json.js";
import type { Outcome } from "./custom.js";

export const OPENAI_DEFAULT_BASE = "https://api.openai.com/v1";

export type ProxyPath = "chat/completions" | "completions" | "embeddings" | "responses";

const TASK_PATH: Record<string, ProxyPath> = {
  "llm/v1/chat": "chat/completions",
  "llm/v1/completions": "completions",
  "llm/v1/embeddings": "embeddings",
};

/** True for http(s) URLs whose host is loopback (localhost, 127.0.0.0/8, ::1): they stay on this machine. */
export const isLoopbackUrl = (url: string): boolean => {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return (
    host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host)
  );
};

export const proxyPathForTask = (task: unknown): ProxyPath => TASK_PATH[String(task)] ?? "chat/completions";

/**
 * Resolves a credential: the `*_plaintext` value given at create time, or the `{{secrets/scope/key}}` reference
 * read from the Secrets store at query time. Errors name the reference, never the value.
 */
const credential = (
  entity: ServedEntity,
  block: JsonObject,
  field: string,
  plaintextPath: string,
  secrets: SecretsStore,
): string | undefined => {
  const plain = entity.plaintext?.[plaintextPath];
  if (plain !== undefined) return plain;
  const ref = block[field];
  if (typeof ref !== "string") return undefined;
  const m = SECRET_REF_RE.exec(ref);
  if (!m) return undefined;
  const value = secrets.resolve(m[1]!, m[2]!, entity.creator);
  if (value === undefined) {
    throw invalidParameter(
      `The secret ${ref} referenced by served entity '${entity.name}' does not exist or cannot be read. Create it with POST /api/2.0/secrets/put and query again.`,
    );
  }
  return value;
};

interface Target {
  url: string;
  headers: Record<string, string>;
}

const target = (
  entity: ServedEntity,
  path: ProxyPath,
  secrets: SecretsStore,
  defaultBase: string,
): Target => {
  const ext = entity.spec.external_model as JsonObject;
  const provider = String(ext.provider);
  if (provider === "openai") {
    const cfg = ext.openai_config as JsonObject;
    const base = String(cfg.openai_api_base ?? defaultBase).replace(/\/+$/, "");
    const key = credential(entity, cfg, "openai_api_key", "openai_config.openai_api_key", secrets);
    const type = cfg.openai_api_type ?? "openai";
    if (type === "openai") {
      const headers: Record<string, string> = {};
      if (key) headers.authorization = `Bearer ${key}`;
      if (typeof cfg.openai_organization === "string")
        headers["openai-organization"] = cfg.openai_organization;
      return { url: `${base}/${path}`, headers };
    }
    const deployment = encodeURIComponent(String(cfg.openai_deployment_name));
    const version = encodeURIComponent(String(cfg.openai_api_version));
    return {
      url: `${base}/openai/deployments/${deployment}/${path}?api-version=${version}`,
      headers: key ? { "api-key": key } : {},
    };
  }
  if (provider === "custom") {
    const cfg = ext.custom_provider_config as JsonObject;
    const headers: Record<string, string> = {};
    if (isObject(cfg.bearer_token_auth)) {
      const token = credential(
        entity,
        cfg.bearer_token_auth,
        "token",
        "custom_provider_config.bearer_token_auth.token",
        secrets,
      );
      if (token) headers.authorization = `Bearer ${token}`;
    } else if (isObject(cfg.api_key_auth)) {
      const value = credential(
        entity,
        cfg.api_key_auth,
        "value",
        "custom_provider_config.api_key_auth.value",
        secrets,
      );
      if (value) headers[String(cfg.api_key_auth.key).toLowerCase()] = value;
    }
    return { url: String(cfg.custom_provider_url), headers };
  }
  throw new ApiError(
    501,
    "NOT_IMPLEMENTED",
    `The emulator does not proxy external provider '${provider}'; only 'openai' and 'custom' are emulated.`,
  );
};

/**
 * Sends the request to the external provider (OpenAI-compatible) and relays the answer. Provider errors come
 * back as the real `{"error": "Received error from <provider>", "external_model_message": ...}` body.
 */
export const proxyExternal = async (
  entity: ServedEntity,
  body: JsonObject,
  path: ProxyPath,
  secrets: SecretsStore,
  defaultBase: string,
  signal: AbortSignal,
  network: { allowExternalNetwork: boolean } = { allowExternalNetwork: false },
): Promise<Outcome> => {
  const ext = entity.spec.external_model as JsonObject;
  const provider = String(ext.provider);
  const t = target(entity, path, secrets, defaultBase);
  if (!network.allowExternalNetwork && !isLoopbackUrl(t.url)) {
    throw invalidParameter(
      `External model '${String(ext.name)}' of served entity '${entity.name}' would call ${new URL(t.url).origin}, outside this machine. ` +
        "The emulator keeps external models on the machine: omit the provider base URL to use its local OpenAI-compatible route, " +
        "or start it with --allow-external-network (startEmulator({ allowExternalNetwork: true })) to call real providers.",
    );
  }
  const { extra_params, ...rest } = body;
  const payload: JsonObject = { ...rest, ...(isObject(extra_params) ? extra_params : {}), model: ext.name };
  let res: Response;
  try {
    res = await fetch(t.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...t.headers,
      },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new ApiError(
      502,
      "BAD_GATEWAY",
      `Could not reach external model provider '${provider}' at ${new URL(t.url).origin} (${code}).`,
    );
  }
  if (!res.ok) {
    const text = await res.text();
    let message: unknown = text;
    try {
      message = JSON.parse(text) as unknown;
    } catch {
      // Non-JSON provider error: relay it as text.
    }
    const status = res.status === 429 || res.status >= 500 ? res.status : 400;
    const headers: Record<string, string> = {};
    const retryAfter = res.headers.get("retry-after");
    if (retryAfter) headers["retry-after"] = retryAfter;
    throw new ApiError(status, "BAD_REQUEST", `Received error from ${provider}`, {
      headers,
      body: { error: `Received error from ${provider}`, external_model_message: message },
    });
  }
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("text/event-stream") && res.body) return { kind: "stream", events: relaySse(res.body) };
  const json = (await res.json()) as unknown;
  if (!isObject(json))
    throw new ApiError(502, "BAD_GATEWAY", `External provider '${provider}' returned a non-object body.`);
  return { kind: "json", body: json };
};

/** Relays the provider's `data:` payloads verbatim; other SSE lines (event:, comments) are dropped. */
async function* relaySse(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, "");
      buf = buf.slice(nl + 1);
      if (line.startsWith("data:")) {
        const payload = line.slice(5).trim();
        if (payload === "[DONE]") return;
        if (payload) yield payload;
      }
      nl = buf.indexOf("\n");
    }
  }
}
