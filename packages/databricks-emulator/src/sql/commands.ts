/**
 * Statements the emulator handles itself instead of DuckDB (spec/sql.md "Supported SQL"): CREATE/DROP CATALOG,
 * CREATE [OR REPLACE] FUNCTION, DROP FUNCTION, GRANT/REVOKE and USE. Anything else returns undefined and runs on
 * the engine.
 */
import type { Identity } from "../auth/identity.js";
import { ApiError } from "../errors.js";
import { PRIVILEGES, type Privilege, type SecurableType, type UnityCatalog } from "./catalog.js";
import type { SqlColumn } from "./engine.js";
import { createFunction, dropFunction, type FunctionParam } from "./functions.js";
import { identName, isOp, isWord, SqlSyntaxError, type Token, tokenize } from "./tokenize.js";
import { type ParamValue, SqlAnalysisError } from "./translate.js";

export interface CommandContext {
  uc: UnityCatalog;
  identity: Identity;
  params: Map<string, ParamValue>;
  catalog: string;
  schema: string;
}

export interface CommandResult {
  columns: SqlColumn[];
  rows: (string | null)[][];
}

const EMPTY: CommandResult = { columns: [], rows: [] };

class Cursor {
  i = 0;
  constructor(
    readonly t: Token[],
    readonly sql: string,
  ) {}
  /** Original SQL of tokens [from, to). */
  source(from: number, to: number): string {
    if (to <= from) return "";
    const last = this.t[to - 1]!;
    return this.sql.slice(this.t[from]!.start, last.start + last.text.length);
  }
  peek(k = 0): Token | undefined {
    return this.t[this.i + k];
  }
  next(): Token | undefined {
    return this.t[this.i++];
  }
  word(...w: string[]): boolean {
    if (isWord(this.peek(), ...w)) {
      this.i++;
      return true;
    }
    return false;
  }
  /** When the next word is `first`, requires the `rest` after it and returns true; otherwise false. */
  phrase(first: string, ...rest: string[]): boolean {
    if (!this.word(first)) return false;
    for (const w of rest) this.expectWord(w);
    return true;
  }
  expectWord(w: string): void {
    if (!this.word(w)) throw syntax(`expected ${w} near '${this.peek()?.text ?? "end of input"}'`);
  }
  op(o: string): boolean {
    if (isOp(this.peek(), o)) {
      this.i++;
      return true;
    }
    return false;
  }
  done(): boolean {
    while (isOp(this.peek(), ";")) this.i++;
    return this.i >= this.t.length;
  }
  name(ctx: CommandContext, parts: 1 | 2 | 3): string[] {
    const out: string[] = [];
    if (isWord(this.peek(), "IDENTIFIER") && isOp(this.peek(1), "(")) {
      this.i += 2;
      const arg = this.next();
      this.op(")");
      const text =
        arg?.kind === "param"
          ? ctx.params.get(arg.value)?.value
          : arg?.kind === "string"
            ? arg.value
            : undefined;
      if (!text) throw syntax("IDENTIFIER() needs a constant string");
      out.push(...text.split("."));
    } else {
      for (;;) {
        const n = identName(this.peek());
        if (n === undefined) throw syntax(`expected a name near '${this.peek()?.text ?? "end of input"}'`);
        this.i++;
        out.push(n);
        if (!this.op(".")) break;
      }
    }
    if (parts === 3 && out.length === 1) out.unshift(ctx.catalog, ctx.schema);
    else if (parts === 3 && out.length === 2) out.unshift(ctx.catalog);
    else if (parts === 2 && out.length === 1) out.unshift(ctx.catalog);
    if (out.length !== parts) throw syntax(`invalid name '${out.join(".")}'`);
    return out.map((p) => p.toLowerCase());
  }
  /** Raw text of tokens [from, this.i). */
  text(from: number): string {
    return this.t
      .slice(from, this.i)
      .map((x) => x.text)
      .join(" ");
  }
}

const syntax = (m: string) => new SqlAnalysisError("PARSE_SYNTAX_ERROR", "42601", `Syntax error: ${m}.`);

const toSql = (e: unknown): never => {
  if (e instanceof ApiError) {
    const state =
      e.status === 409 ? "42723" : e.status === 404 ? "42883" : e.status === 403 ? "42501" : "42000";
    throw new SqlAnalysisError(String(e.errorCode), state, e.message);
  }
  throw e;
};

/** Runs a command statement, or returns undefined when the statement is not one. */
export const runCommand = async (sql: string, ctx: CommandContext): Promise<CommandResult | undefined> => {
  let toks: Token[];
  try {
    toks = tokenize(sql).filter((t) => t.kind !== "ws");
  } catch (e) {
    if (e instanceof SqlSyntaxError) throw new SqlAnalysisError("PARSE_SYNTAX_ERROR", "42601", e.message);
    throw e;
  }
  const c = new Cursor(toks, sql);
  try {
    if (c.word("USE")) return EMPTY;
    if (c.word("CREATE")) {
      const replace = c.phrase("OR", "REPLACE");
      c.word("TEMPORARY");
      if (c.word("CATALOG")) return await createCatalog(c, ctx);
      if (c.word("FUNCTION")) return await createFunctionSql(c, ctx, replace);
      return undefined;
    }
    if (c.word("DROP")) {
      if (c.word("CATALOG")) {
        const ifExists = c.phrase("IF", "EXISTS");
        const [name] = c.name(ctx, 1);
        if (!ctx.identity.admin)
          throw new ApiError(403, "PERMISSION_DENIED", "Only admins can drop catalogs.");
        if (!ctx.uc.catalogMeta(name!)) {
          if (ifExists) return EMPTY;
          throw new ApiError(404, "CATALOG_DOES_NOT_EXIST", `Catalog '${name}' does not exist.`);
        }
        await ctx.uc.dropCatalog(name!);
        return EMPTY;
      }
      if (c.word("FUNCTION")) {
        const ifExists = c.phrase("IF", "EXISTS");
        const full = c.name(ctx, 3).join(".");
        const rec = ctx.uc.getFunction(full);
        if (!rec) {
          if (ifExists) return EMPTY;
          throw new ApiError(404, "ROUTINE_NOT_FOUND", `The function ${full} cannot be found.`);
        }
        if (!ctx.identity.admin && rec.info.owner !== ctx.identity.name) {
          throw new ApiError(403, "PERMISSION_DENIED", `User is not the owner of function '${full}'.`);
        }
        await dropFunction(ctx.uc, full);
        return EMPTY;
      }
      return undefined;
    }
    if (isWord(c.peek(), "GRANT", "REVOKE")) return grant(c, ctx);
    return undefined;
  } catch (e) {
    return toSql(e);
  }
};

const createCatalog = async (c: Cursor, ctx: CommandContext): Promise<CommandResult> => {
  const ifNot = c.phrase("IF", "NOT", "EXISTS");
  const [name] = c.name(ctx, 1);
  let comment: string | undefined;
  if (c.word("COMMENT")) comment = c.next()?.value;
  if (!c.done()) throw syntax(`unexpected '${c.peek()?.text}'`);
  if (!ctx.identity.admin)
    throw new ApiError(403, "PERMISSION_DENIED", "User does not have CREATE CATALOG on Metastore.");
  if (ctx.uc.catalogMeta(name!)) {
    if (ifNot) return EMPTY;
    throw new ApiError(409, "CATALOG_ALREADY_EXISTS", `Catalog '${name}' already exists.`);
  }
  await ctx.uc.createCatalog(name!, ctx.identity.name, comment);
  await ctx.uc.ensureSchema(name!, "default", ctx.identity.name);
  return EMPTY;
};

const near = (c: Cursor): string => c.peek()?.text ?? "end of input";

const expectOp = (c: Cursor, o: string): void => {
  if (!c.op(o)) throw syntax(`expected ${o} near '${near(c)}'`);
};

const expectNumber = (c: Cursor): void => {
  if (c.peek()?.kind !== "number") throw syntax(`expected a number near '${near(c)}'`);
  c.i++;
};

/** Databricks SQL type names without arguments (spec/sql.md; `sparkType` in functions.ts maps them). */
const SIMPLE_TYPES = new Set([
  "STRING",
  "INT",
  "INTEGER",
  "BIGINT",
  "LONG",
  "SMALLINT",
  "SHORT",
  "TINYINT",
  "BYTE",
  "DOUBLE",
  "FLOAT",
  "REAL",
  "BOOLEAN",
  "DATE",
  "TIMESTAMP",
  "TIMESTAMP_NTZ",
  "TIMESTAMP_LTZ",
  "BINARY",
  "VARIANT",
  "VOID",
]);
const INTERVAL_UNITS = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"];

/**
 * Consumes exactly one Databricks SQL data type at the cursor (STRING, INT, DECIMAL(p,s), ARRAY<t>, MAP<k, v>,
 * STRUCT<name[:] t [NOT NULL] [COMMENT 's'], ...>, INTERVAL unit [TO unit], CHAR/VARCHAR(n), ...), or throws a
 * PARSE_SYNTAX_ERROR naming what is wrong. Nothing after the type is consumed, so a missing comma
 * (`a INT b INT`) or a stray word (`RETURNS INT BOGUS`) is left for the caller to reject.
 */
const skipType = (c: Cursor): void => {
  const t = c.peek();
  if (t?.kind !== "word") throw syntax(`expected a data type near '${near(c)}'`);
  const w = t.value.toUpperCase();
  c.i++;
  if (SIMPLE_TYPES.has(w)) return;
  if (w === "DECIMAL" || w === "DEC" || w === "NUMERIC") {
    if (c.op("(")) {
      expectNumber(c);
      if (c.op(",")) expectNumber(c);
      expectOp(c, ")");
    }
    return;
  }
  if (w === "CHAR" || w === "VARCHAR") {
    expectOp(c, "(");
    expectNumber(c);
    expectOp(c, ")");
    return;
  }
  if (w === "INTERVAL") {
    const unit = () => {
      if (!c.word(...INTERVAL_UNITS)) throw syntax(`expected an interval unit near '${near(c)}'`);
    };
    unit();
    if (c.word("TO")) unit();
    return;
  }
  if (w === "ARRAY") {
    expectOp(c, "<");
    skipType(c);
    expectOp(c, ">");
    return;
  }
  if (w === "MAP") {
    expectOp(c, "<");
    skipType(c);
    expectOp(c, ",");
    skipType(c);
    expectOp(c, ">");
    return;
  }
  if (w === "STRUCT") {
    expectOp(c, "<");
    if (c.op(">")) return;
    for (;;) {
      if (!identName(c.next())) throw syntax("expected a field name in STRUCT");
      c.op(":");
      skipType(c);
      if (c.word("NOT")) c.expectWord("NULL");
      if (c.word("COMMENT") && c.next()?.kind !== "string") throw syntax("expected a string after COMMENT");
      if (c.op(">")) return;
      if (!c.op(",")) throw syntax(`expected , or > near '${near(c)}'`);
    }
  }
  throw syntax(`unknown data type '${t.text}'`);
};

/**
 * Reads one data type (see `skipType`) and returns its text: words separated by one space, no space around
 * `< > ( ) ,`, and `name: type` inside STRUCT (e.g. `MAP<STRING,ARRAY<INT>>`, `INTERVAL DAY TO SECOND`).
 */
const readType = (c: Cursor): string => {
  const start = c.i;
  skipType(c);
  let out = "";
  let glue = true;
  for (const t of c.t.slice(start, c.i)) {
    const tight = t.kind === "op" && "<>(),:".includes(t.value);
    if (!tight && !glue) out += " ";
    out += t.kind === "ident" ? t.value : t.text;
    if (isOp(t, ":")) out += " ";
    glue = tight || isOp(t, ":");
  }
  return out;
};

/** An expression's raw text up to a top-level `,` or `)` or stop word. */
const readExpr = (c: Cursor, stop: string[]): string => {
  let depth = 0;
  const parts: string[] = [];
  for (;;) {
    const t = c.peek();
    if (!t) break;
    if (
      depth === 0 &&
      (isOp(t, ",") || isOp(t, ")") || (t.kind === "word" && stop.includes(t.value.toUpperCase())))
    )
      break;
    if (isOp(t, "(")) depth++;
    if (isOp(t, ")")) depth--;
    parts.push(t.text);
    c.i++;
  }
  return parts.join(" ");
};

const paramList = (c: Cursor, what: "parameter" | "column"): FunctionParam[] => {
  const out: FunctionParam[] = [];
  if (!c.op("(")) throw syntax("expected ( after the function name");
  if (c.op(")")) return out;
  for (;;) {
    const name = identName(c.next());
    if (!name) throw syntax("expected a parameter name");
    const p: FunctionParam = { name, type_text: readType(c) };
    for (;;) {
      if (c.word("NOT")) c.expectWord("NULL");
      else if (c.word("DEFAULT")) p.parameter_default = readExpr(c, ["COMMENT"]);
      else if (c.word("COMMENT")) p.comment = c.next()?.value;
      else break;
    }
    out.push(p);
    if (c.op(")")) return out;
    if (!c.op(",")) throw syntax(`expected , or ) after ${what} '${name}' near '${near(c)}'`);
  }
};

const createFunctionSql = async (
  c: Cursor,
  ctx: CommandContext,
  replace: boolean,
): Promise<CommandResult> => {
  const ifNotExists = c.phrase("IF", "NOT", "EXISTS");
  const [cat, sch, name] = c.name(ctx, 3) as [string, string, string];
  const params = paramList(c, "parameter");
  c.expectWord("RETURNS");
  let returns: string | undefined;
  let returnColumns: FunctionParam[] | undefined;
  if (isWord(c.peek(), "TABLE")) {
    c.i++;
    returnColumns = paramList(c, "column");
  } else returns = readType(c);
  let language = "SQL";
  let comment: string | undefined;
  let deterministic = true;
  let body: string | undefined;
  while (!c.done()) {
    if (c.word("LANGUAGE")) language = c.next()?.value.toUpperCase() ?? "SQL";
    else if (c.word("COMMENT")) comment = c.next()?.value;
    else if (c.word("NOT")) {
      c.expectWord("DETERMINISTIC");
      deterministic = false;
    } else if (c.word("DETERMINISTIC")) deterministic = true;
    else if (c.word("CONTAINS")) c.expectWord("SQL");
    else if (c.word("READS")) {
      c.expectWord("SQL");
      c.expectWord("DATA");
    } else if (c.word("NO")) c.expectWord("SQL");
    else if (c.word("SQL")) {
      c.expectWord("SECURITY");
      c.next();
    } else if (c.word("RETURN")) {
      const start = c.i;
      c.i = c.t.length;
      while (c.i > start && isOp(c.t[c.i - 1], ";")) c.i--;
      body = c.source(start, c.i);
      c.i = c.t.length;
    } else if (c.word("AS")) {
      const t = c.next();
      body = t?.kind === "dollar" || t?.kind === "string" ? t.value : undefined;
      if (body === undefined) throw syntax("expected $$ body $$ after AS");
    } else throw syntax(`unexpected '${c.peek()?.text}'`);
  }
  if (body === undefined) throw syntax("expected RETURN <expression> or AS $$ body $$");
  await createFunction(
    ctx.uc,
    {
      catalog: cat,
      schema: sch,
      name,
      params,
      returns,
      returnColumns,
      language,
      body,
      comment,
      deterministic,
      replace,
      ifNotExists,
    },
    ctx.identity,
  );
  return EMPTY;
};

const SECURABLES: Record<string, SecurableType> = {
  CATALOG: "catalog",
  SCHEMA: "schema",
  DATABASE: "schema",
  TABLE: "table",
  VIEW: "table",
  FUNCTION: "function",
};

const grant = (c: Cursor, ctx: CommandContext): CommandResult => {
  const isGrant = c.next()!.value.toUpperCase() === "GRANT";
  const privs: Privilege[] = [];
  for (;;) {
    const words: string[] = [];
    while (c.peek()?.kind === "word" && !isWord(c.peek(), "ON") && !isOp(c.peek(1), "ignore")) {
      words.push(c.next()!.value);
      if (isOp(c.peek(), ",")) break;
    }
    const p = words.join("_").toUpperCase().replace(/^ALL$/, "ALL_PRIVILEGES");
    // The error echoes the privilege as the user wrote it.
    if (!PRIVILEGES.includes(p as Privilege)) throw syntax(`unknown privilege '${words.join(" ")}'`);
    privs.push(p as Privilege);
    if (!c.op(",")) break;
  }
  c.expectWord("ON");
  const kw = c.next()?.value.toUpperCase() ?? "";
  const type = SECURABLES[kw];
  if (!type) throw syntax(`unsupported securable '${kw}'`);
  const parts = c.name(ctx, type === "catalog" ? 1 : type === "schema" ? 2 : 3);
  if (!(isGrant ? c.word("TO") : c.word("FROM"))) throw syntax(isGrant ? "expected TO" : "expected FROM");
  const principal = identName(c.next()) ?? c.t[c.i - 1]?.value;
  if (!principal) throw syntax("expected a principal");
  const full = parts.join(".");
  if (!ctx.identity.admin) {
    const owner =
      type === "catalog"
        ? ctx.uc.catalogMeta(full)?.owner
        : type === "function"
          ? (ctx.uc.getFunction(full)?.info.owner as string | undefined)
          : type === "table"
            ? ctx.uc.snapshot.tables[full]?.owner
            : ctx.uc.snapshot.schemas[full]?.owner;
    if (owner !== ctx.identity.name) {
      throw new ApiError(403, "PERMISSION_DENIED", `User does not have MANAGE on ${kw} '${full}'.`);
    }
  }
  ctx.uc.updateGrants(type, full, [isGrant ? { principal, add: privs } : { principal, remove: privs }]);
  return EMPTY;
};
