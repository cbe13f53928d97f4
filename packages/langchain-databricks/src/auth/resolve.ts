import { ConfigError } from "../errors.js";
import type { DatabricksAuthOptions } from "../options.js";
import type { AuthHttp } from "./auth-http.js";
import { fetchCliToken } from "./cli.js";
import { type Credentials, PatCredentials, TokenProviderCredentials } from "./credentials.js";
import { readEnv } from "./env.js";
import { normalizeHost } from "./host.js";
import type { ConfigIo } from "./io.js";
import { createOAuthM2MCredentials } from "./oauth-m2m.js";
import { type LoadedProfile, loadProfile } from "./profile.js";
import { RefreshingTokenCredentials } from "./refreshing-token.js";

/** The outcome of config resolution (no secrets: safe to log). */
export interface ResolvedConfig {
  /** Normalised workspace origin, e.g. "https://my-ws.cloud.databricks.com". */
  host: string;
  /** "pat", "oauth-m2m", "databricks-cli" or "token-provider". */
  authType: string;
  /** Default cluster: DATABRICKS_CLUSTER_ID, DB_CLUSTER_ID (set on Databricks clusters) or the profile's cluster_id. */
  clusterId: string | undefined;
  /** Profile that contributed settings, if any. */
  profile: string | undefined;
  /** Config file that profile came from. */
  configFile: string | undefined;
  /** Where the host came from: "options", "env", "profile <name>". */
  hostSource: string;
  /** Where the credentials came from: "options", "env", "profile <name>", "databricks CLI". */
  credentialSource: string;
}

/** Resolved config plus the live credential source. */
export interface ResolvedAuth {
  config: ResolvedConfig;
  credentials: Credentials;
}

const AUTH_TYPES = ["pat", "oauth-m2m", "databricks-cli", "token-provider"] as const;

interface Layer {
  source: string;
  hostVar: string;
  host?: string;
  token?: string;
  clientId?: string;
  clientSecret?: string;
  tokenProvider?: () => string | Promise<string>;
  authType?: string;
  clusterId?: string;
}

function hasCredentials(l: Layer): boolean {
  return (
    l.token !== undefined ||
    l.clientId !== undefined ||
    l.clientSecret !== undefined ||
    l.tokenProvider !== undefined
  );
}

function profileLayer(p: LoadedProfile): Layer {
  return {
    source: `profile ${p.name}`,
    hostVar: `\`host\` in profile ${p.name} of ${p.path}`,
    host: p.settings.host,
    token: p.settings.token,
    clientId: p.settings.client_id,
    clientSecret: p.settings.client_secret,
    authType: p.settings.auth_type,
    clusterId: p.settings.cluster_id,
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v;
}

/** Settings needed to build credentials once the layer is chosen. */
interface CredentialChoice {
  authType: string;
  layer: Layer | undefined;
}

function chooseCredentials(layers: readonly Layer[], forced: string | undefined): CredentialChoice {
  if (forced !== undefined) {
    if (!(AUTH_TYPES as readonly string[]).includes(forced)) {
      throw new ConfigError(
        `Unsupported auth type "${forced}" (from \`authType\` / DATABRICKS_AUTH_TYPE / profile auth_type). ` +
          `Supported: ${AUTH_TYPES.join(", ")}.`,
      );
    }
    const want = (l: Layer) =>
      forced === "pat"
        ? l.token !== undefined
        : forced === "oauth-m2m"
          ? l.clientId !== undefined || l.clientSecret !== undefined
          : forced === "token-provider"
            ? l.tokenProvider !== undefined
            : false;
    return { authType: forced, layer: layers.find(want) };
  }
  const layer = layers.find(hasCredentials);
  if (!layer) return { authType: "databricks-cli", layer: undefined };
  const kinds = [
    layer.token !== undefined ? "pat" : undefined,
    layer.clientId !== undefined || layer.clientSecret !== undefined ? "oauth-m2m" : undefined,
    layer.tokenProvider !== undefined ? "token-provider" : undefined,
  ].filter((k): k is string => k !== undefined);
  if (kinds.length > 1) {
    throw new ConfigError(
      `More than one credential type configured in ${layer.source} (${kinds.join(" and ")}). Keep one, or choose with ` +
        "`authType` / DATABRICKS_AUTH_TYPE.",
    );
  }
  return { authType: kinds[0]!, layer };
}

/**
 * Resolves host and credentials. Precedence, per setting: explicit options -> an explicitly named profile
 * (`profile` option / `databricks://<profile>`) -> environment variables -> the env-named
 * (`DATABRICKS_CONFIG_PROFILE`) or DEFAULT profile of `~/.databrickscfg`, which only fills in what the environment
 * lacks (as the Databricks Python SDK's file loader never overwrites a value already set) -> `databricks auth token`
 * (when the CLI is installed). Credentials are taken as a group from the first source that has any, so a PAT in the
 * environment never mixes with an explicit client id. Documented in docs/authentication.md.
 */
export async function resolveAuth(
  options: DatabricksAuthOptions,
  io: ConfigIo,
  authHttp: (host: string) => AuthHttp,
  now: () => number = Date.now,
): Promise<ResolvedAuth> {
  const env = io.env;
  const explicit: Layer = {
    source: "options",
    hostVar: "the `host` option",
    host: nonEmpty(options.host),
    token: nonEmpty(options.token),
    clientId: nonEmpty(options.clientId),
    clientSecret: nonEmpty(options.clientSecret),
    tokenProvider: options.tokenProvider,
    authType: nonEmpty(options.authType),
  };
  const envLayer: Layer = {
    source: "env",
    hostVar: "DATABRICKS_HOST",
    host: readEnv(env, "DATABRICKS_HOST"),
    token: readEnv(env, "DATABRICKS_TOKEN"),
    clientId: readEnv(env, "DATABRICKS_CLIENT_ID"),
    clientSecret: readEnv(env, "DATABRICKS_CLIENT_SECRET"),
    authType: readEnv(env, "DATABRICKS_AUTH_TYPE"),
    clusterId: readEnv(env, "DATABRICKS_CLUSTER_ID") ?? readEnv(env, "DB_CLUSTER_ID"),
  };
  const explicitProfile = nonEmpty(options.profile);
  const envProfile = readEnv(env, "DATABRICKS_CONFIG_PROFILE");
  const configFile = nonEmpty(options.configFile) ?? readEnv(env, "DATABRICKS_CONFIG_FILE");

  const layers: Layer[] = [explicit];
  let profile: LoadedProfile | undefined;
  if (explicitProfile !== undefined) {
    profile = await loadProfile(io, { profile: explicitProfile, configFile });
    if (profile) layers.push(profileLayer(profile));
  }
  layers.push(envLayer);
  const needMore = () => !layers.some((l) => l.host !== undefined) || !layers.some(hasCredentials);
  if (explicitProfile === undefined && (envProfile !== undefined || needMore())) {
    profile = await loadProfile(io, { profile: envProfile, configFile });
    if (profile) layers.push(profileLayer(profile));
  }

  const hostLayer = layers.find((l) => l.host !== undefined);
  if (!hostLayer) {
    throw new ConfigError(
      "No Databricks host configured: pass `host`, set DATABRICKS_HOST, or add `host = https://...` to a profile in " +
        `${configFile ?? "~/.databrickscfg"} (select it with \`profile\` / DATABRICKS_CONFIG_PROFILE).`,
    );
  }
  const host = normalizeHost(hostLayer.host!, options.allowInsecureHttp === true, hostLayer.hostVar);
  const forced = layers.find((l) => l.authType !== undefined)?.authType;
  const choice = chooseCredentials(layers, forced);
  const clusterId = layers.find((l) => l.clusterId !== undefined)?.clusterId;
  const base = {
    host,
    clusterId,
    profile: profile?.name,
    configFile: profile?.path,
    hostSource: hostLayer.source,
  };

  const l = choice.layer;
  switch (choice.authType) {
    case "pat":
      if (!l?.token) throw missing("pat", "a token: pass `token` or set DATABRICKS_TOKEN");
      return {
        config: { ...base, authType: "pat", credentialSource: l.source },
        credentials: new PatCredentials(l.token),
      };
    case "token-provider":
      if (!l?.tokenProvider) throw missing("token-provider", "a `tokenProvider` function");
      return {
        config: { ...base, authType: "token-provider", credentialSource: l.source },
        credentials: new TokenProviderCredentials(l.tokenProvider),
      };
    case "oauth-m2m": {
      // The missing half of a client id/secret pair may come from a lower layer (e.g. id in code, secret in env).
      const clientId = l?.clientId ?? layers.find((x) => x.clientId !== undefined)?.clientId;
      const clientSecret = l?.clientSecret ?? layers.find((x) => x.clientSecret !== undefined)?.clientSecret;
      if (!clientId) throw missing("oauth-m2m", "a client id: pass `clientId` or set DATABRICKS_CLIENT_ID");
      if (!clientSecret)
        throw missing("oauth-m2m", "a client secret: pass `clientSecret` or set DATABRICKS_CLIENT_SECRET");
      return {
        config: { ...base, authType: "oauth-m2m", credentialSource: l?.source ?? "env" },
        credentials: createOAuthM2MCredentials({ host, clientId, clientSecret, http: authHttp(host), now }),
      };
    }
    default: {
      const first = await fetchCliToken(io, host, profile?.name, now);
      if (first === undefined) {
        throw new ConfigError(
          `No Databricks credentials found for ${host}. Pass \`token\` (or set DATABRICKS_TOKEN), pass \`clientId\` + ` +
            "`clientSecret` (DATABRICKS_CLIENT_ID / DATABRICKS_CLIENT_SECRET), pass `tokenProvider`, add them to a profile in " +
            "~/.databrickscfg, or install the Databricks CLI and run `databricks auth login`.",
        );
      }
      const creds = new RefreshingTokenCredentials(
        "databricks-cli",
        async () => {
          const t = await fetchCliToken(io, host, profile?.name, now);
          if (!t) throw new ConfigError("The Databricks CLI is no longer available to refresh the token.");
          return t;
        },
        now,
      );
      creds.prime(first);
      return {
        config: { ...base, authType: "databricks-cli", credentialSource: "databricks CLI" },
        credentials: creds,
      };
    }
  }
}

function missing(authType: string, what: string): ConfigError {
  return new ConfigError(`Auth type "${authType}" needs ${what}.`);
}
