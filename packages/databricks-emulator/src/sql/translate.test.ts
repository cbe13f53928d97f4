import { describe, expect, it } from "vitest";
import { SqlSyntaxError, splitName, tokenize } from "./tokenize.js";
import { type ParamValue, SqlAnalysisError, translate } from "./translate.js";

const ctx = (params: Record<string, ParamValue> = {}) => ({
  catalog: "main",
  schema: "default",
  params: new Map(Object.entries(params)),
  isCatalog: (n: string) => ["main", "sales"].includes(n.toLowerCase()),
});

describe("tokenize", () => {
  it("keeps strings, comments and backtick identifiers intact", () => {
    const t = tokenize("SELECT 'it''s :x', \"a\\tb\", `we``ird` -- :y\n/* :z */ :p").filter(
      (x) => x.kind !== "ws",
    );
    expect(t.map((x) => [x.kind, x.value])).toEqual([
      ["word", "SELECT"],
      ["string", "it's :x"],
      ["op", ","],
      ["string", "a\tb"],
      ["op", ","],
      ["ident", "we`ird"],
      ["param", "p"],
    ]);
  });

  it("rejects unclosed strings and splits dotted names", () => {
    expect(() => tokenize("SELECT 'oops")).toThrow(SqlSyntaxError);
    expect(splitName("`a.b`.c.`d`")).toEqual(["a.b", "c", "d"]);
    expect(() => splitName("a..b")).toThrow(SqlSyntaxError);
  });
});

describe("translate", () => {
  it("maps the reserved main catalog, quotes identifiers and records table references", () => {
    const t = translate("SELECT x FROM main.default.t JOIN `sales`.q1.o ON true, other", ctx());
    expect(t.sql).toBe('SELECT x FROM "main__uc"."default"."t" JOIN "sales"."q1"."o" ON true, "other"');
    expect(t.refs.map((r) => r.fullName)).toEqual(["main.default.t", "sales.q1.o", "main.default.other"]);
  });

  it("binds typed parameters and resolves IDENTIFIER(:name)", () => {
    const t = translate(
      "SELECT IDENTIFIER(:fn)(:a, b => :b) AS r",
      ctx({
        fn: { value: "main.default.f", type: "STRING" },
        a: { value: "5", type: "BIGINT" },
        b: { value: null, type: "STRING" },
      }),
    );
    expect(t.sql).toBe('SELECT "main__uc"."default"."f"(CAST($a AS BIGINT), b := CAST($b AS VARCHAR)) AS r');
    expect(t.binds).toEqual({ a: "5", b: null });
    expect(t.refs).toEqual([{ kind: "function", fullName: "main.default.f", write: false }]);
  });

  it("translates Databricks types, named_struct and from_json", () => {
    const t = translate(
      "SELECT CAST(x AS ARRAY<STRING>), named_struct('a', 1, 'b', y), from_json(:j, 'MAP<STRING, INT>')",
      ctx({ j: { value: '{"k":1}', type: "STRING" } }),
    );
    expect(t.sql).toBe(
      "SELECT CAST(x AS VARCHAR[]), {'a': 1, 'b': y}, CAST(CAST(CAST($j AS VARCHAR) AS JSON) AS MAP(VARCHAR, INTEGER))",
    );
  });

  it("fails an unbound parameter with UNBOUND_SQL_PARAMETER", () => {
    let err: unknown;
    try {
      translate("SELECT :missing", ctx());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SqlAnalysisError);
    expect((err as SqlAnalysisError).errorClass).toBe("UNBOUND_SQL_PARAMETER");
  });

  it("replaces ai_query with a lookup and derives the distinct-request query from the enclosing FROM/WHERE", () => {
    const t = translate(
      "INSERT INTO main.default.out SELECT id, ai_query('ep', txt, failOnError => false) AS r FROM main.default.src WHERE id > 3 ORDER BY id",
      { ...ctx(), aiQueryReplacement: (c) => `lookup_${c.index}` },
    );
    expect(t.sql).toBe(
      'INSERT INTO "main__uc"."default"."out" SELECT id, lookup_0 AS r FROM "main__uc"."default"."src" WHERE id > 3 ORDER BY id',
    );
    expect(t.aiQueries[0]).toMatchObject({
      endpoint: "ep",
      request: "txt",
      literals: { failonerror: false },
      keysQuery:
        'SELECT DISTINCT CAST(to_json(txt) AS VARCHAR) AS k FROM "main__uc"."default"."src" WHERE id > 3 ',
    });
    expect(t.refs.find((r) => r.fullName === "main.default.out")?.write).toBe(true);
  });
});
