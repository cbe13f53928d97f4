import { ConfigError } from "../errors.js";
import type { ConfigIo } from "./io.js";

/** The settings of one `~/.databrickscfg` section this package understands (snake_case as in the file). */
export interface ProfileSettings {
  host?: string;
  token?: string;
  client_id?: string;
  client_secret?: string;
  auth_type?: string;
  cluster_id?: string;
}

/** A profile that was found, with where it came from (for error messages). */
export interface LoadedProfile {
  name: string;
  path: string;
  settings: ProfileSettings;
}

const KEYS = ["host", "token", "client_id", "client_secret", "auth_type", "cluster_id"] as const;

type IniTree = { [key: string]: unknown };

/** `ini` nests dotted section names (`[a.b]` -> `{a: {b}}`); Databricks profile names may contain dots. */
function findSection(tree: IniTree, name: string): IniTree | undefined {
  const direct = tree[name];
  if (typeof direct === "object" && direct !== null) return direct as IniTree;
  let node: unknown = tree;
  for (const part of name.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as IniTree)[part];
  }
  return typeof node === "object" && node !== null ? (node as IniTree) : undefined;
}

/** Parses config-file text and extracts one profile's settings; undefined when the section is absent. */
export async function parseProfile(text: string, name: string): Promise<ProfileSettings | undefined> {
  const ini = await import("ini");
  const tree = ini.parse(text) as IniTree;
  const section = findSection(tree, name);
  if (!section) return undefined;
  const settings: ProfileSettings = {};
  for (const key of KEYS) {
    const value = section[key];
    if (typeof value === "string" && value.trim() !== "") settings[key] = value.trim();
  }
  return settings;
}

/** Expands a leading `~` in a config-file path. */
async function expandHome(path: string, io: ConfigIo): Promise<string> {
  if (path !== "~" && !path.startsWith("~/") && !path.startsWith("~\\")) return path;
  const home = await io.homeDir();
  if (!home) {
    throw new ConfigError(
      `Cannot expand "~" in config file path ${JSON.stringify(path)}: no home directory. Pass \`configFile\` or set DATABRICKS_CONFIG_FILE to an absolute path.`,
    );
  }
  return home + path.slice(1);
}

/**
 * Loads a profile. A profile that was explicitly named (option or DATABRICKS_CONFIG_PROFILE) must exist;
 * the implicit DEFAULT profile is optional, as in the Databricks SDKs.
 */
export async function loadProfile(
  io: ConfigIo,
  opts: { profile: string | undefined; configFile: string | undefined },
): Promise<LoadedProfile | undefined> {
  const name = opts.profile ?? "DEFAULT";
  const path = await expandHome(opts.configFile ?? "~/.databrickscfg", io);
  const text = await io.readFile(path).catch((e: unknown) => {
    throw new ConfigError(`Cannot read Databricks config file ${path}: ${(e as Error).message}`, {
      cause: e,
    });
  });
  if (text === undefined) {
    if (opts.profile === undefined) return undefined;
    throw new ConfigError(
      `Databricks config file ${path} not found, but profile "${name}" was requested. Create it with \`databricks configure\`, ` +
        "or pass `configFile` / set DATABRICKS_CONFIG_FILE.",
    );
  }
  const settings = await parseProfile(text, name);
  if (!settings) {
    if (opts.profile === undefined) return undefined;
    throw new ConfigError(
      `Profile "${name}" not found in ${path}. Check \`profile\` / DATABRICKS_CONFIG_PROFILE (or the databricks://<profile> URI).`,
    );
  }
  return { name, path, settings };
}
