// Loads the subjects under test at run time. Our classes are still being built by colleagues, so every subject is
// looked up by name on the module and a missing one turns into a "skipped: <why>" instead of a crash. The minimal
// structural types below are all the harness relies on.

/** The part of a LangChain chat model the suites use. */
export interface ChatLike {
  invoke(input: string, options?: Record<string, unknown>): Promise<{ content: unknown }>;
  stream(input: string, options?: Record<string, unknown>): Promise<AsyncIterable<{ content: unknown }>>;
}

export interface EmbeddingsLike {
  embedDocuments(texts: string[]): Promise<number[][]>;
}

export type Ctor<T> = new (fields: Record<string, unknown>) => T;

export type Loaded<T> = { ok: true; value: T } | { ok: false; reason: string };

let ours: Promise<Record<string, unknown> | string> | undefined;

/** Our package as built (`dist`, through the workspace link) under tsx; its sources under vitest. */
export function loadOurModule(): Promise<Record<string, unknown> | string> {
  ours ??= import("langchain-databricks").then(
    (m: Record<string, unknown>) => m,
    (err: unknown) =>
      `cannot import langchain-databricks (${err instanceof Error ? err.message : String(err)})`,
  );
  return ours;
}

/** A named class export of our package, or why it is not usable yet. */
export async function ourExport<T>(name: string): Promise<Loaded<T>> {
  const mod = await loadOurModule();
  if (typeof mod === "string") return { ok: false, reason: mod };
  const value = mod[name];
  if (typeof value !== "function") {
    return {
      ok: false,
      reason: `langchain-databricks does not export ${name} yet (not built or not landed)`,
    };
  }
  return { ok: true, value: value as T };
}

/** A named export of any installed package, or why it failed to load. */
export async function packageExport<T>(specifier: string, name: string): Promise<Loaded<T>> {
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    const value = mod[name];
    if (value === undefined) return { ok: false, reason: `${specifier} has no export ${name}` };
    return { ok: true, value: value as T };
  } catch (err) {
    return {
      ok: false,
      reason: `cannot import ${specifier} (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}
