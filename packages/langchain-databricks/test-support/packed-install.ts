/**
 * Test-only: installs the packed tarballs of the library, the emulator and the CLI into a fresh project, the way
 * a user would (`npm ci` of a project that depends on them), without the network.
 *
 * A plain `npm install --offline` would need the registry's package documents to resolve version ranges, and npm's
 * cache holds only the tarballs `npm ci` fetched. So the fresh project gets a lockfile written from the workspace's
 * own lockfile: every third-party package is pinned to the version (and integrity) the workspace resolved, and
 * `npm ci --offline` then takes each tarball from the cache by its integrity. The three packages come from their
 * `npm pack` tarballs (`file:` dependencies).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

/** One package of a lockfile (v3) `packages` map. */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** A packed workspace package. */
export interface Tarball {
  name: string;
  version: string;
  /** Absolute path of the `.tgz`. */
  file: string;
  /** Its workspace folder, relative to the repository root (where its dependencies were resolved). */
  folder: string;
}

/** `npm pack`s the given workspace folders into `dest`; returns the tarballs. */
export function packWorkspaces(repoRoot: string, folders: readonly string[], dest: string): Tarball[] {
  mkdirSync(dest, { recursive: true });
  const args = ["pack", "--json", "--pack-destination", dest, ...folders.flatMap((f) => ["-w", f])];
  const out = execFileSync("npm", args, {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const packed = JSON.parse(out) as { name: string; version: string; filename: string }[];
  return packed.map((p, i) => ({
    name: p.name,
    version: p.version,
    file: join(dest, basename(p.filename)),
    folder: folders[i]!,
  }));
}

function integrityOf(file: string): string {
  return `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`;
}

/** Where Node (and npm's lockfile layout) finds `name` from the package at `from`: nearest `node_modules` up. */
function locate(packages: Record<string, LockEntry>, name: string, from: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === "" ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] && !packages[candidate].link) return candidate;
    if (base === "") return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut === -1 ? "" : base.slice(0, cut);
  }
}

/**
 * Writes `package.json` and `package-lock.json` of a project in `dir` depending on `deps` (tarballs by name, or
 * third-party packages at the workspace's versions) and `devDeps`.
 */
export function writeProject(
  dir: string,
  repoRoot: string,
  tarballs: readonly Tarball[],
  deps: readonly string[],
  devDeps: readonly string[],
): void {
  const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const source = lock.packages;
  const byName = new Map(tarballs.map((t) => [t.name, t]));
  const tarballDir = join(dir, "tarballs");
  mkdirSync(tarballDir, { recursive: true });
  const spec = (name: string): string => {
    const t = byName.get(name);
    if (t) {
      const local = join(tarballDir, basename(t.file));
      writeFileSync(local, readFileSync(t.file));
      return `file:tarballs/${basename(t.file)}`;
    }
    const at = locate(source, name, "");
    if (!at) throw new Error(`${name} is not in the workspace lockfile`);
    return source[at]!.version!;
  };
  const dependencies = Object.fromEntries(deps.map((n) => [n, spec(n)]));
  const devDependencies = Object.fromEntries(devDeps.map((n) => [n, spec(n)]));
  const pkg = {
    name: "packed-install-check",
    version: "0.0.0",
    private: true,
    dependencies,
    devDependencies,
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);

  const placed: Record<string, LockEntry> = {
    "": { name: pkg.name, version: pkg.version, dependencies, devDependencies },
  };
  /** Workspace lock path (or tarball) each placed package came from, to resolve its own dependencies. */
  const origin = new Map<string, string>();
  const queue: Array<{ name: string; parent: string }> = [...deps, ...devDeps].map((name) => ({
    name,
    parent: "",
  }));
  while (queue.length > 0) {
    const { name, parent } = queue.shift()!;
    let entry: LockEntry;
    let from: string;
    const t = byName.get(name);
    if (t) {
      const manifest = JSON.parse(
        execFileSync("tar", ["-xOzf", t.file, "package/package.json"], { encoding: "utf8" }),
      ) as LockEntry;
      entry = {
        version: t.version,
        resolved: `file:tarballs/${basename(t.file)}`,
        integrity: integrityOf(t.file),
        license: manifest.license,
        dependencies: manifest.dependencies,
        peerDependencies: manifest.peerDependencies,
        bin: manifest.bin,
        engines: manifest.engines,
      };
      from = t.folder;
    } else {
      // Resolved as the workspace resolved it from the parent's location (a tarball's: its workspace folder).
      const at = locate(source, name, origin.get(parent) ?? "");
      if (!at) continue; // an optional dependency the workspace did not install (other platform)
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = source[at]!;
      entry = rest;
      from = at;
    }
    const top = `node_modules/${name}`;
    let path = top;
    if (placed[top]) {
      if (placed[top]!.version === entry.version) continue;
      path = `${parent === "" ? "" : `${parent}/`}node_modules/${name}`;
      if (placed[path]) continue;
    }
    placed[path] = entry;
    origin.set(path, from);
    const required = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const [peer] of Object.entries(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[peer]?.optional) required[peer] = "*";
    }
    for (const dep of Object.keys(required)) queue.push({ name: dep, parent: path });
  }
  const out = { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages: placed };
  writeFileSync(join(dir, "package-lock.json"), `${JSON.stringify(out, null, 2)}\n`);
}

/** The first fenced ```ts block after `heading` in a markdown file. */
export function codeBlockAfter(markdown: string, heading: string): string {
  const at = markdown.indexOf(heading);
  if (at === -1) throw new Error(`heading ${JSON.stringify(heading)} not found`);
  const open = markdown.indexOf("```ts\n", at);
  const close = markdown.indexOf("\n```", open + 6);
  if (open === -1 || close === -1) throw new Error(`no \`\`\`ts block after ${JSON.stringify(heading)}`);
  return markdown.slice(open + 6, close + 1);
}
