import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { CustomModels, EmulatorOptions, ServicePrincipalSpec, UserSpec } from "./options.js";

// The command line of `databricks-emulator` as pure functions (argv in, options or a usage error out), so the
// mapping is tested in-process (cli-args.test.ts); cli.ts only starts the emulator and prints the banner.

export const USAGE = `Usage: databricks-emulator start [options]

Options:
  --port N            TCP port (default 8080; 0 = random)
  --host ADDR         bind address (default 127.0.0.1)
  --data-dir DIR      persist endpoints, secrets, ACLs and principals in DIR (default: in memory)
  --token TOKEN       PAT of the default admin user (default: generated, and reused from --data-dir)
  --models FILE       JS module exporting a models record ({ "<entity_name>": { predict(records, params) } })
                      as \`models\` or as its default export
  --transition-ms N   endpoint config update delay in ms (default 200)
  --cluster ID        register a cluster for the driver proxy (repeatable)
  --user NAME[:TOKEN] add a workspace user with a PAT (repeatable; the PAT is generated when omitted, and
                      reused from --data-dir); the users and their PATs are printed at start
  --service-principal ID:SECRET
                      add a service principal for OAuth M2M (client_credentials at /oidc/v1/token;
                      repeatable)
  --cluster-access PRINCIPAL[:CLUSTER_ID]
                      grant a --user or --service-principal CAN_ATTACH_TO on a cluster (every cluster when
                      no id is given), so it may use the driver proxy; admins always can (repeatable)
  --driver-proxy-ports MIN-MAX
                      driver ports the proxy forwards to (default 3000-8000, the seed's range)
  --tls               serve HTTPS with a generated local CA (kept in --data-dir); prints the CA settings
                      clients need. With --port 443, clients that force https://<host> work unchanged
  --faults            enable the admin/fault API under /__emulator
  --token-ttl N       OAuth token lifetime in seconds (default 3600)
  --table catalog.schema.name=FILE
                      load a Unity Catalog table from a CSV, Parquet or JSON file at start (repeatable)
  --no-foundation-models
                      start without the pre-provisioned databricks-* foundation endpoints
  --allow-external-network
                      let external-model endpoints call real providers (default: they stay on this machine)
  --external-base-url URL
                      default openai_api_base for external models that set none (default: the local
                      OpenAI-compatible route; https://api.openai.com/v1 with --allow-external-network)
  -h, --help          show this help
  -v, --version       show the version`;

export class UsageError extends Error {}

const int = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
};

/** Splits `A:B` at the first colon (secrets and tokens may contain colons, names and client ids do not). */
const splitPair = (v: string): [string, string | undefined] => {
  const i = v.indexOf(":");
  return i < 0 ? [v, undefined] : [v.slice(0, i), v.slice(i + 1)];
};

const parsePortRange = (v: string | undefined): [number, number] | undefined => {
  if (v === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2]))
    throw new UsageError(`--driver-proxy-ports takes MIN-MAX within 1-65535 (e.g. 3000-8000), got '${v}'`);
  return [Number(m[1]), Number(m[2])];
};

const parseUsers = (values: string[] | undefined): UserSpec[] | undefined =>
  values?.map((v) => {
    const [userName, token] = splitPair(v);
    if (userName === "" || token === "") {
      throw new UsageError(`--user takes NAME or NAME:TOKEN (e.g. viewer@example.com:dapi123), got '${v}'`);
    }
    return token === undefined ? { userName } : { userName, token };
  });

const parseServicePrincipals = (values: string[] | undefined): ServicePrincipalSpec[] | undefined =>
  values?.map((v) => {
    const [clientId, clientSecret] = splitPair(v);
    if (clientId === "" || !clientSecret) {
      throw new UsageError(`--service-principal takes CLIENT_ID:CLIENT_SECRET, got '${v}'`);
    }
    return { clientId, clientSecret };
  });

const parseTables = (values: string[]): Record<string, string> =>
  Object.fromEntries(
    values.map((v) => {
      const i = v.indexOf("=");
      const name = v.slice(0, i);
      if (i < 0 || name.split(".").length !== 3 || v.slice(i + 1) === "") {
        throw new UsageError(`--table takes catalog.schema.name=FILE (CSV, Parquet or JSON), got '${v}'`);
      }
      return [name, resolve(v.slice(i + 1))];
    }),
  );

export const loadModels = async (file: string): Promise<CustomModels> => {
  const mod = (await import(pathToFileURL(resolve(file)).href)) as { models?: unknown; default?: unknown };
  const models = mod.models ?? mod.default;
  if (typeof models !== "object" || models === null) {
    throw new UsageError(
      `--models ${file} must export a models record as \`models\` or as its default export`,
    );
  }
  return models as CustomModels;
};

/** What the command line asks for: print the version, print the help (exit 0), print the usage (exit 2), or start. */
export type CliCommand =
  | { kind: "version" }
  | { kind: "help" }
  | { kind: "usage" }
  | { kind: "start"; options: EmulatorOptions; modelsFile?: string };

/**
 * Parses argv (without node and the script) into a command. Throws {@link UsageError} for a bad value, and
 * node's `ERR_PARSE_ARGS_UNKNOWN_OPTION` TypeError for an unknown option; `--models` is only named here (loading
 * it imports user code: {@link loadModels}).
 */
export const parseCli = (argv: string[]): CliCommand => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "data-dir": { type: "string" },
      token: { type: "string" },
      models: { type: "string" },
      "transition-ms": { type: "string" },
      cluster: { type: "string", multiple: true },
      user: { type: "string", multiple: true },
      "service-principal": { type: "string", multiple: true },
      faults: { type: "boolean" },
      tls: { type: "boolean" },
      "cluster-access": { type: "string", multiple: true },
      "driver-proxy-ports": { type: "string" },
      "token-ttl": { type: "string" },
      "no-foundation-models": { type: "boolean" },
      "allow-external-network": { type: "boolean" },
      "external-base-url": { type: "string" },
      table: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
  if (values.version) return { kind: "version" };
  if (values.help) return { kind: "help" };
  if (positionals[0] !== "start" || positionals.length > 1) return { kind: "usage" };
  const options: EmulatorOptions = {
    port: int(values.port, "port") ?? 8080,
    host: values.host,
    dataDir: values["data-dir"],
    token: values.token,
    transitionMs: int(values["transition-ms"], "transition-ms"),
    clusters: values.cluster,
    faults: values.faults,
    tls: values.tls,
    tokenTtlSeconds: int(values["token-ttl"], "token-ttl"),
    users: parseUsers(values.user),
    servicePrincipals: parseServicePrincipals(values["service-principal"]),
    clusterAccess: values["cluster-access"]?.map((v) => {
      const [principal, clusterId] = splitPair(v);
      if (principal === "" || clusterId === "")
        throw new UsageError(`--cluster-access takes PRINCIPAL or PRINCIPAL:CLUSTER_ID, got '${v}'`);
      return clusterId === undefined ? { principal } : { principal, clusterId };
    }),
    driverProxyPorts: parsePortRange(values["driver-proxy-ports"]),
  };
  if (values["no-foundation-models"]) options.foundationModels = false;
  if (values["allow-external-network"]) options.allowExternalNetwork = true;
  const externalBase = values["external-base-url"];
  if (externalBase !== undefined) {
    if (!/^https?:\/\/[^/\s]+/.test(externalBase)) {
      throw new UsageError(`--external-base-url must be an http(s) URL, got '${externalBase}'`);
    }
    options.defaultOpenAiApiBase = externalBase;
  }
  if (values.table) options.tables = parseTables(values.table);
  return { kind: "start", options, modelsFile: values.models };
};

/** The exit status for an error out of the CLI: 2 for a usage mistake, 1 for anything else. */
export const exitCodeFor = (err: unknown): number =>
  err instanceof UsageError || (err as { code?: string } | null)?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION"
    ? 2
    : 1;
