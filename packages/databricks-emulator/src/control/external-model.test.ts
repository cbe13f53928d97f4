import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import { validateExternalModel } from "./external-model.js";

const W = "served_entities[0]";
const REF = "{{secrets/scope/key}}";
const chat = { name: "m", task: "llm/v1/chat" };

function rejection(raw: unknown): string {
  try {
    validateExternalModel(raw, W);
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).errorCode).toBe("INVALID_PARAMETER_VALUE");
    return (e as Error).message;
  }
  throw new Error("expected a rejection");
}

describe("validateExternalModel", () => {
  it("splits *_plaintext credentials out of the echoed spec; secret references stay", () => {
    expect(
      validateExternalModel(
        {
          provider: "openai",
          ...chat,
          openai_config: { openai_api_key_plaintext: "sk-raw", openai_api_base: "https://a.test" },
        },
        W,
      ),
    ).toEqual({
      spec: { provider: "openai", ...chat, openai_config: { openai_api_base: "https://a.test" } },
      plaintext: { "openai_config.openai_api_key": "sk-raw" },
    });
    expect(
      validateExternalModel(
        { provider: "anthropic", ...chat, anthropic_config: { anthropic_api_key: REF } },
        W,
      ),
    ).toEqual({
      spec: { provider: "anthropic", ...chat, anthropic_config: { anthropic_api_key: REF } },
      plaintext: {},
    });
  });

  it("custom providers: api_key_auth or bearer_token_auth, their secrets split out too", () => {
    const base = { provider: "custom", ...chat };
    expect(
      validateExternalModel(
        {
          ...base,
          custom_provider_config: {
            custom_provider_url: "http://127.0.0.1:9/v1",
            api_key_auth: { key: "x-key", value_plaintext: "v" },
          },
        },
        W,
      ),
    ).toEqual({
      spec: {
        ...base,
        custom_provider_config: {
          custom_provider_url: "http://127.0.0.1:9/v1",
          api_key_auth: { key: "x-key" },
        },
      },
      plaintext: { "custom_provider_config.api_key_auth.value": "v" },
    });
    expect(
      validateExternalModel(
        {
          ...base,
          custom_provider_config: {
            custom_provider_url: "https://p.test",
            bearer_token_auth: { token: REF },
          },
        },
        W,
      ).plaintext,
    ).toEqual({});
  });

  it("Azure OpenAI and Entra ID need their fields", () => {
    const azure = {
      openai_api_type: "azure",
      openai_api_key: REF,
      openai_api_base: "https://az.test",
      openai_api_version: "v",
      openai_deployment_name: "d",
    };
    expect(validateExternalModel({ provider: "openai", ...chat, openai_config: azure }, W).plaintext).toEqual(
      {},
    );
    const at = `${W}.external_model.openai_config`;
    expect(
      rejection({ provider: "openai", ...chat, openai_config: { ...azure, openai_api_version: undefined } }),
    ).toBe(`${at}.openai_api_version is required for Azure OpenAI.`);
    const entra = { ...azure, openai_api_type: "azuread", openai_api_key: undefined };
    expect(rejection({ provider: "openai", ...chat, openai_config: entra })).toBe(
      `${at}.microsoft_entra_client_id is required when openai_api_type is azuread.`,
    );
    expect(
      rejection({
        provider: "openai",
        ...chat,
        openai_config: { ...entra, microsoft_entra_client_id: "c", microsoft_entra_tenant_id: "t" },
      }),
    ).toBe(
      `One of ${at}.microsoft_entra_client_secret or ${at}.microsoft_entra_client_secret_plaintext is required.`,
    );
    expect(
      validateExternalModel(
        {
          provider: "openai",
          ...chat,
          openai_config: {
            ...entra,
            microsoft_entra_client_id: "c",
            microsoft_entra_tenant_id: "t",
            microsoft_entra_client_secret_plaintext: "s",
          },
        },
        W,
      ).plaintext,
    ).toEqual({ "openai_config.microsoft_entra_client_secret": "s" });
  });

  it("rejects what real workspaces reject, naming the field", () => {
    const at = `${W}.external_model`;
    const cases: Array<[unknown, string]> = [
      ["x", `${W}.external_model must be an object.`],
      [
        { provider: "nope", ...chat },
        `Invalid provider "nope" in ${at}; use one of openai, anthropic, cohere, amazon-bedrock, google-cloud-vertex-ai, databricks-model-serving, palm, ai21labs, custom.`,
      ],
      [{ provider: "openai", task: "llm/v1/chat" }, `${at}.name is required (the provider's model name).`],
      [
        { provider: "openai", name: "m", task: "llm/v1/rerank" },
        `${at}.task must be one of llm/v1/chat, llm/v1/completions, llm/v1/embeddings.`,
      ],
      [
        { provider: "openai", ...chat, anthropic_config: {} },
        `${at}.anthropic_config does not match provider 'openai'; use openai_config.`,
      ],
      [{ provider: "cohere", ...chat }, `${at}.cohere_config is required for provider 'cohere'.`],
      [
        { provider: "amazon-bedrock", ...chat, amazon_bedrock_config: { aws_region: "r" } },
        `${at}.amazon_bedrock_config.bedrock_provider is required.`,
      ],
      [
        { provider: "palm", ...chat, palm_config: {} },
        `One of ${at}.palm_config.palm_api_key or ${at}.palm_config.palm_api_key_plaintext is required.`,
      ],
      [
        { provider: "palm", ...chat, palm_config: { palm_api_key: REF, palm_api_key_plaintext: "k" } },
        `Only one of ${at}.palm_config.palm_api_key or ${at}.palm_config.palm_api_key_plaintext may be set.`,
      ],
      [
        { provider: "palm", ...chat, palm_config: { palm_api_key: "raw-key" } },
        `${at}.palm_config.palm_api_key must be a secret reference like {{secrets/<scope>/<key>}}; put raw keys in palm_api_key_plaintext.`,
      ],
      [
        { provider: "palm", ...chat, palm_config: { palm_api_key_plaintext: "" } },
        `${at}.palm_config.palm_api_key_plaintext must be a non-empty string.`,
      ],
      [
        { provider: "openai", ...chat, openai_config: {} },
        `One of ${at}.openai_config.openai_api_key or ${at}.openai_config.openai_api_key_plaintext is required.`,
      ],
      [
        { provider: "openai", ...chat, openai_config: { openai_api_key: REF, openai_api_type: "x" } },
        `${at}.openai_config.openai_api_type must be one of openai, azure, azuread.`,
      ],
      [
        { provider: "openai", ...chat, openai_config: { openai_api_key: REF, openai_api_base: 5 } },
        `${at}.openai_config.openai_api_base must be a URL string.`,
      ],
      [
        { provider: "openai", ...chat, openai_config: { openai_api_key: REF, openai_api_base: "::" } },
        `${at}.openai_config.openai_api_base is not a valid URL: '::'.`,
      ],
      [
        {
          provider: "openai",
          ...chat,
          openai_config: { openai_api_key: REF, openai_api_base: "http://evil.test" },
        },
        `${at}.openai_config.openai_api_base must use https (plain http is accepted only for loopback hosts).`,
      ],
      [
        { provider: "custom", ...chat, custom_provider_config: { custom_provider_url: "https://p.test" } },
        `Exactly one of ${at}.custom_provider_config.api_key_auth or ${at}.custom_provider_config.bearer_token_auth is required.`,
      ],
      [
        {
          provider: "custom",
          ...chat,
          custom_provider_config: { custom_provider_url: "https://p.test", api_key_auth: { value: REF } },
        },
        `${at}.custom_provider_config.api_key_auth needs a header name in 'key'.`,
      ],
      [
        {
          provider: "custom",
          ...chat,
          custom_provider_config: { custom_provider_url: "https://p.test", bearer_token_auth: "t" },
        },
        `${at}.custom_provider_config.bearer_token_auth must be an object.`,
      ],
    ];
    for (const [raw, message] of cases) expect(rejection(raw), JSON.stringify(raw)).toBe(message);
  });
});
