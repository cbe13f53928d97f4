import { invalidParameter } from "../errors.js";
import { isObject, type JsonObject } from "../util/json.js";

export const SECRET_REF_RE = /^\{\{secrets\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\}\}$/;

const TASKS = new Set(["llm/v1/chat", "llm/v1/completions", "llm/v1/embeddings"]);

interface ProviderRule {
  block: string;
  /** Required plain fields of the config block. */
  required?: string[];
  /** Credential fields that need exactly one of `<field>` (secret reference) or `<field>_plaintext`. */
  credentials?: string[];
  /** Credential fields that may be absent, but not given twice. */
  optionalCredentials?: string[];
}

const PROVIDERS: Record<string, ProviderRule> = {
  openai: {
    block: "openai_config",
    optionalCredentials: ["openai_api_key", "microsoft_entra_client_secret"],
  },
  anthropic: { block: "anthropic_config", credentials: ["anthropic_api_key"] },
  cohere: { block: "cohere_config", credentials: ["cohere_api_key"] },
  "amazon-bedrock": {
    block: "amazon_bedrock_config",
    required: ["aws_region", "bedrock_provider"],
    optionalCredentials: ["aws_access_key_id", "aws_secret_access_key"],
  },
  "google-cloud-vertex-ai": {
    block: "google_cloud_vertex_ai_config",
    required: ["project_id", "region"],
    credentials: ["private_key"],
  },
  "databricks-model-serving": {
    block: "databricks_model_serving_config",
    required: ["databricks_workspace_url"],
    credentials: ["databricks_api_token"],
  },
  palm: { block: "palm_config", credentials: ["palm_api_key"] },
  ai21labs: { block: "ai21labs_config", credentials: ["ai21labs_api_key"] },
  custom: { block: "custom_provider_config", required: ["custom_provider_url"] },
};
const ALL_BLOCKS = new Set(Object.values(PROVIDERS).map((p) => p.block));

export interface ValidatedExternalModel {
  spec: JsonObject;
  plaintext: Record<string, string>;
}

/**
 * Validates an `external_model` (spec/serving.md 2.2/2.6) and splits `*_plaintext` credentials out of the echoed spec.
 * Plaintext keys in `plaintext` are paths like `openai_config.openai_api_key`.
 */
export const validateExternalModel = (raw: unknown, where: string): ValidatedExternalModel => {
  if (!isObject(raw)) throw invalidParameter(`${where}.external_model must be an object.`);
  const { provider, name, task } = raw;
  if (typeof provider !== "string" || !(provider in PROVIDERS)) {
    throw invalidParameter(
      `Invalid provider ${JSON.stringify(provider)} in ${where}.external_model; use one of ${Object.keys(PROVIDERS).join(", ")}.`,
    );
  }
  if (typeof name !== "string" || name === "") {
    throw invalidParameter(`${where}.external_model.name is required (the provider's model name).`);
  }
  if (typeof task !== "string" || !TASKS.has(task)) {
    throw invalidParameter(
      `${where}.external_model.task must be one of llm/v1/chat, llm/v1/completions, llm/v1/embeddings.`,
    );
  }
  const rule = PROVIDERS[provider]!;
  for (const key of Object.keys(raw)) {
    if (ALL_BLOCKS.has(key) && key !== rule.block) {
      throw invalidParameter(
        `${where}.external_model.${key} does not match provider '${provider}'; use ${rule.block}.`,
      );
    }
  }
  const block = raw[rule.block];
  if (!isObject(block))
    throw invalidParameter(`${where}.external_model.${rule.block} is required for provider '${provider}'.`);
  const plaintext: Record<string, string> = {};
  const outBlock: JsonObject = { ...block };
  const at = `${where}.external_model.${rule.block}`;
  for (const f of rule.required ?? []) {
    if (typeof block[f] !== "string" || block[f] === "") throw invalidParameter(`${at}.${f} is required.`);
  }
  const credential = (f: string, required: boolean, target: JsonObject, path: string, prefix: string) => {
    const ref = target[f];
    const plain = target[`${f}_plaintext`];
    if (ref !== undefined && plain !== undefined) {
      throw invalidParameter(`Only one of ${path}.${f} or ${path}.${f}_plaintext may be set.`);
    }
    if (ref === undefined && plain === undefined) {
      if (required) throw invalidParameter(`One of ${path}.${f} or ${path}.${f}_plaintext is required.`);
      return;
    }
    if (ref !== undefined) {
      if (typeof ref !== "string" || !SECRET_REF_RE.test(ref)) {
        throw invalidParameter(
          `${path}.${f} must be a secret reference like {{secrets/<scope>/<key>}}; put raw keys in ${f}_plaintext.`,
        );
      }
      return;
    }
    if (typeof plain !== "string" || plain === "")
      throw invalidParameter(`${path}.${f}_plaintext must be a non-empty string.`);
    plaintext[`${prefix}${f}`] = plain;
    delete target[`${f}_plaintext`];
  };
  for (const f of rule.credentials ?? []) credential(f, true, outBlock, at, `${rule.block}.`);
  for (const f of rule.optionalCredentials ?? []) credential(f, false, outBlock, at, `${rule.block}.`);
  if (provider === "openai") validateOpenAi(outBlock, at, plaintext);
  if (provider === "custom") validateCustom(outBlock, at, credential);
  return { spec: { ...raw, [rule.block]: outBlock }, plaintext };
};

const validateOpenAi = (block: JsonObject, at: string, plaintext: Record<string, string>) => {
  const type = block.openai_api_type ?? "openai";
  if (type !== "openai" && type !== "azure" && type !== "azuread") {
    throw invalidParameter(`${at}.openai_api_type must be one of openai, azure, azuread.`);
  }
  const hasKey =
    block.openai_api_key !== undefined || plaintext[`openai_config.openai_api_key`] !== undefined;
  if (type === "azuread") {
    for (const f of ["microsoft_entra_client_id", "microsoft_entra_tenant_id"]) {
      if (typeof block[f] !== "string")
        throw invalidParameter(`${at}.${f} is required when openai_api_type is azuread.`);
    }
    const hasSecret =
      block.microsoft_entra_client_secret !== undefined ||
      plaintext["openai_config.microsoft_entra_client_secret"] !== undefined;
    if (!hasSecret) {
      throw invalidParameter(
        `One of ${at}.microsoft_entra_client_secret or ${at}.microsoft_entra_client_secret_plaintext is required.`,
      );
    }
  } else if (!hasKey) {
    throw invalidParameter(`One of ${at}.openai_api_key or ${at}.openai_api_key_plaintext is required.`);
  }
  if (type !== "openai") {
    for (const f of ["openai_api_base", "openai_api_version", "openai_deployment_name"]) {
      if (typeof block[f] !== "string") throw invalidParameter(`${at}.${f} is required for Azure OpenAI.`);
    }
  }
  if (block.openai_api_base !== undefined) checkUrl(block.openai_api_base, `${at}.openai_api_base`);
};

type CredentialCheck = (
  f: string,
  required: boolean,
  target: JsonObject,
  path: string,
  prefix: string,
) => void;

const validateCustom = (block: JsonObject, at: string, credential: CredentialCheck) => {
  checkUrl(block.custom_provider_url, `${at}.custom_provider_url`);
  const apiKey = block.api_key_auth;
  const bearer = block.bearer_token_auth;
  if ((apiKey === undefined) === (bearer === undefined)) {
    throw invalidParameter(`Exactly one of ${at}.api_key_auth or ${at}.bearer_token_auth is required.`);
  }
  if (apiKey !== undefined) {
    if (!isObject(apiKey) || typeof apiKey.key !== "string") {
      throw invalidParameter(`${at}.api_key_auth needs a header name in 'key'.`);
    }
    const copy = { ...apiKey };
    credential("value", true, copy, `${at}.api_key_auth`, "custom_provider_config.api_key_auth.");
    block.api_key_auth = copy;
  } else {
    if (!isObject(bearer)) throw invalidParameter(`${at}.bearer_token_auth must be an object.`);
    const copy = { ...bearer };
    credential("token", true, copy, `${at}.bearer_token_auth`, "custom_provider_config.bearer_token_auth.");
    block.bearer_token_auth = copy;
  }
};

const checkUrl = (v: unknown, at: string) => {
  if (typeof v !== "string") throw invalidParameter(`${at} must be a URL string.`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw invalidParameter(`${at} is not a valid URL: '${v}'.`);
  }
  // HTTPS is required by the platform; plain HTTP is tolerated for loopback so tests stay offline.
  const loopback = u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]";
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    throw invalidParameter(`${at} must use https (plain http is accepted only for loopback hosts).`);
  }
};
