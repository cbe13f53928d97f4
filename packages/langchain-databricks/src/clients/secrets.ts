import { ConfigError } from "../errors.js";
import type { DatabricksHttpClient } from "../http/client.js";
import { redactError } from "../redact.js";
import { base64ToBytes, bytesToBase64 } from "../utils/base64.js";
import { type CallOptions, type ClientOptions, httpClientFrom, requireName } from "./shared.js";
import type { AclItem, SecretMetadata, SecretScope } from "./types.js";

const API = "/api/2.0/secrets";

/** Options of {@link SecretsClient.createScope}. */
export interface CreateScopeOptions extends CallOptions {
  /** Only "users" is supported by Databricks: gives MANAGE to all workspace users. @default the creator gets MANAGE */
  initialManagePrincipal?: string;
  /** "DATABRICKS" or "AZURE_KEYVAULT". @default "DATABRICKS" */
  scopeBackendType?: string;
  /** Key Vault backing (`{ resource_id, dns_name }`) for AZURE_KEYVAULT scopes. */
  backendAzureKeyvault?: { resource_id: string; dns_name: string };
}

/**
 * Secrets API (`/api/2.0/secrets`): scopes, secrets and scope ACLs. Secret values are never put in errors.
 * Use secrets in endpoint configs as references: `{{secrets/<scope>/<key>}}`.
 *
 * @example
 * const secrets = new SecretsClient();
 * await secrets.createScope("my-scope");
 * await secrets.putSecret("my-scope", "openai-api-key", process.env.OPENAI_API_KEY!);
 */
export class SecretsClient {
  /** The underlying HTTP client. */
  readonly httpClient: DatabricksHttpClient;

  constructor(options: ClientOptions = {}) {
    this.httpClient = httpClientFrom(options);
  }

  /** Creates a scope. Existing scope -> `ResourceAlreadyExistsError` (HTTP 400 on Databricks). */
  async createScope(scope: string, options: CreateScopeOptions = {}): Promise<void> {
    requireName(scope, "Secret scope");
    const { initialManagePrincipal, scopeBackendType, backendAzureKeyvault, ...call } = options;
    await this.#post(
      "scopes/create",
      {
        scope,
        ...(initialManagePrincipal !== undefined ? { initial_manage_principal: initialManagePrincipal } : {}),
        ...(scopeBackendType !== undefined ? { scope_backend_type: scopeBackendType } : {}),
        ...(backendAzureKeyvault !== undefined ? { backend_azure_keyvault: backendAzureKeyvault } : {}),
      },
      call,
    );
  }

  /** Lists scopes (`[]` when none). */
  async listScopes(options: CallOptions = {}): Promise<SecretScope[]> {
    const res = await this.httpClient.request<{ scopes?: SecretScope[] }>({
      method: "GET",
      path: `${API}/scopes/list`,
      ...options,
    });
    return res.scopes ?? [];
  }

  /** Deletes a scope with its secrets and ACLs. */
  async deleteScope(scope: string, options: CallOptions = {}): Promise<void> {
    await this.#post("scopes/delete", { scope: requireName(scope, "Secret scope") }, options);
  }

  /** Creates or overwrites a secret. Strings are stored as UTF-8 (`string_value`); bytes as `bytes_value`. */
  async putSecret(
    scope: string,
    key: string,
    value: string | Uint8Array,
    options: CallOptions = {},
  ): Promise<void> {
    requireName(scope, "Secret scope");
    requireName(key, "Secret key");
    let body: Record<string, string>;
    if (typeof value === "string") body = { scope, key, string_value: value };
    else if (value instanceof Uint8Array) body = { scope, key, bytes_value: bytesToBase64(value) };
    else throw new ConfigError("Secret value must be a string or a Uint8Array.");
    try {
      await this.#post("put", body, options);
    } catch (e) {
      // Defence in depth: a server message must never carry the value into logs (message, stack, cause chain).
      throw typeof value === "string" ? redactError(e, [value]) : e;
    }
  }

  /** Reads a secret and decodes it as UTF-8 text (the API returns base64). */
  async getSecret(scope: string, key: string, options: CallOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.getSecretBytes(scope, key, options));
  }

  /** Reads a secret as raw bytes. */
  async getSecretBytes(scope: string, key: string, options: CallOptions = {}): Promise<Uint8Array> {
    requireName(scope, "Secret scope");
    requireName(key, "Secret key");
    const res = await this.httpClient.request<{ value?: string }>({
      method: "GET",
      path: `${API}/get`,
      query: { scope, key },
      ...options,
    });
    return base64ToBytes(res.value ?? "");
  }

  /** Lists secret keys and update times of a scope (`[]` when empty); values are never listed. */
  async listSecrets(scope: string, options: CallOptions = {}): Promise<SecretMetadata[]> {
    requireName(scope, "Secret scope");
    const res = await this.httpClient.request<{ secrets?: SecretMetadata[] }>({
      method: "GET",
      path: `${API}/list`,
      query: { scope },
      ...options,
    });
    return res.secrets ?? [];
  }

  /** Deletes one secret. */
  async deleteSecret(scope: string, key: string, options: CallOptions = {}): Promise<void> {
    await this.#post(
      "delete",
      { scope: requireName(scope, "Secret scope"), key: requireName(key, "Secret key") },
      options,
    );
  }

  /** Grants `permission` (MANAGE / WRITE / READ) on a scope to a principal (create or overwrite). */
  async putAcl(
    scope: string,
    principal: string,
    permission: AclItem["permission"],
    options: CallOptions = {},
  ): Promise<void> {
    await this.#post(
      "acls/put",
      {
        scope: requireName(scope, "Secret scope"),
        principal: requireName(principal, "Principal"),
        permission,
      },
      options,
    );
  }

  /** One principal's ACL on a scope. */
  getAcl(scope: string, principal: string, options: CallOptions = {}): Promise<AclItem> {
    return this.httpClient.request<AclItem>({
      method: "GET",
      path: `${API}/acls/get`,
      query: { scope: requireName(scope, "Secret scope"), principal: requireName(principal, "Principal") },
      ...options,
    });
  }

  /** All ACLs of a scope. */
  async listAcls(scope: string, options: CallOptions = {}): Promise<AclItem[]> {
    const res = await this.httpClient.request<{ items?: AclItem[] }>({
      method: "GET",
      path: `${API}/acls/list`,
      query: { scope: requireName(scope, "Secret scope") },
      ...options,
    });
    return res.items ?? [];
  }

  /** Removes a principal's ACL from a scope. */
  async deleteAcl(scope: string, principal: string, options: CallOptions = {}): Promise<void> {
    await this.#post(
      "acls/delete",
      { scope: requireName(scope, "Secret scope"), principal: requireName(principal, "Principal") },
      options,
    );
  }

  async #post(path: string, body: Record<string, unknown>, options: CallOptions): Promise<void> {
    await this.httpClient.request({ method: "POST", path: `${API}/${path}`, body, ...options });
  }
}
