/**
 * filters_json and filter_string (vector-search/filters.ts) on the forms engines.test.ts leaves out: which rows
 * each operator keeps (nulls, numeric strings, array cells, OR keys, LIKE with and without wildcards) and the
 * exact 400 message of each malformed filter.
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import { compileFilterString, compileFiltersJson, type RowValues, type Schema } from "./filters.js";

const schema: Schema = {
  id: "string",
  n: "int",
  price: "double",
  ok: "boolean",
  tags: "array<string>",
  text: "string",
  d: "date",
};
const rows: RowValues[] = [
  { id: "a", n: 1, price: 10.5, ok: true, tags: ["red", "blue"], text: "a red car", d: null },
  { id: "b", n: 2, price: 20, ok: false, tags: ["green"], text: "red sports car", d: "2024-01-01" },
  { id: "c", n: 3, price: null, ok: null, tags: [], text: "it's blue", d: "2024-02-01" },
];
const keep = (p: ((r: RowValues) => boolean) | undefined) =>
  rows.filter((r) => (p ? p(r) : true)).map((r) => r.id);
const json = (f: unknown) => keep(compileFiltersJson(f, schema));
const str = (s: string) => keep(compileFilterString(s, schema));
const err400 = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(400);
    expect((e as ApiError).errorCode).toBe("INVALID_PARAMETER_VALUE");
    return (e as ApiError).message;
  }
  throw new Error("expected a 400");
};

describe("filters_json rows", () => {
  it.each([
    [{ "n >": 1 }, ["b", "c"]],
    [{ "n <=": 2 }, ["a", "b"]],
    [{ "price <": 15 }, ["a"]],
    [{ "price >=": 10.5 }, ["a", "b"]],
    [{ ok: true }, ["a"]],
    [{ n: "2" }, ["b"]],
    [{ n: " " }, []],
    [{ d: null }, ["a"]],
    [{ "d NOT": null }, ["b", "c"]],
    [{ "d >": "2024-01-15" }, ["c"]],
    [{ tags: "green" }, ["b"]],
    [{ "tags NOT": ["red", "green"] }, ["c"]],
    [{ "text LIKE": ["sports", "blue"] }, ["b", "c"]],
    [{ "text LIKE": "r_d%" }, ["b"]],
    [{ "tags LIKE": "gr%" }, ["b"]],
    [{ "text LIKE": "   " }, []],
    [{ "id OR text": ["a", "it's blue"] }, ["a", "c"]],
    [{ "id OR text LIKE": ["zz", "sports"] }, ["b"]],
    [[{ "n >": 1 }, { ok: false }], ["b"]],
    [{}, ["a", "b", "c"]],
    [null, ["a", "b", "c"]],
  ])("%j keeps %j", (filter, ids) => {
    expect(json(filter)).toEqual(ids);
  });
});

describe("filters_json errors", () => {
  it.each([
    [{ "": 1 }, "filters_json: empty filter key."],
    [
      { "id text": 1 },
      "filters_json: malformed filter key 'id text'. Use 'col', 'col NOT', 'col <', 'col <=', 'col >', 'col >=', 'col LIKE' or 'col1 OR col2'.",
    ],
    [{ "id OR": 1 }, "filters_json: malformed filter key 'id OR' (dangling OR)."],
    [
      { "n OR price <": [1, 2] },
      "filters_json: malformed filter key 'n OR price <': OR keys support equality or LIKE only.",
    ],
    [
      { "id OR text": "a" },
      "filters_json['id OR text']: an OR key needs a list of 2 values, one per column.",
    ],
    [{ "n <": [1, 2] }, "filters_json['n <']: the < operator takes a single value, not a list."],
    [{ "tags <": "x" }, "filters_json['tags <']: < is not supported on array column 'tags'."],
    [{ "n >": null }, "filters_json['n >']: > needs a non-null value."],
    [
      { id: { x: 1 } },
      "filters_json['id']: filter values must be strings, numbers, booleans or lists of them.",
    ],
    [{ zz: 1 }, "filters_json: unknown column 'zz'. The index has columns: id, n, price, ok, tags, text, d."],
    ["n > 1", 'filters_json must encode a JSON object such as {"col": "value"} (or a list of them).'],
    [[{ n: 1 }, [1]], 'filters_json must encode a JSON object such as {"col": "value"} (or a list of them).'],
  ])("%j -> %s", (filter, message) => {
    expect(err400(() => compileFiltersJson(filter, schema))).toBe(message);
  });
});

describe("filter_string rows", () => {
  it.each([
    ["n != 2", ["a", "c"]],
    ["n <> 2", ["a", "c"]],
    ["price >= 20", ["b"]],
    ["price <= 20", ["a", "b"]],
    ["n < 2 OR n > 2", ["a", "c"]],
    ["NOT (n = 1) AND ok = false", ["b"]],
    ["text NOT LIKE 'red'", ["c"]],
    ["text LIKE 'a%'", ["a"]],
    ["id NOT IN ('a', 'b')", ["c"]],
    ["id IN ('b')", ["b"]],
    ["d IS NOT NULL", ["b", "c"]],
    ["d IS NULL", ["a"]],
    ["d = null", ["a"]],
    ["text = 'it''s blue'", ["c"]],
    ["n = -1", []],
    ["n > 1.5e0", ["b", "c"]],
    ["ok = TRUE", ["a"]],
    ["`n` > 2", ["c"]],
    ["   ", ["a", "b", "c"]],
  ])("%s keeps %j", (filter, ids) => {
    expect(str(filter)).toEqual(ids);
  });
});

describe("filter_string errors", () => {
  it.each([
    ["text = 'open", "filter_string: unterminated string literal at position 7."],
    ["n # 1", "filter_string: unexpected character '#' at position 2."],
    ["(n = 1", "filter_string: expected ')' at position 6."],
    ["n IN 1", "filter_string: expected '(' at position 5."],
    ["n =", "filter_string: expected a value at the end of the filter."],
    ["n = (", "filter_string: expected a literal at position 4, got '('."],
    ["= 1", "filter_string: expected a column name at position 0."],
    ["d IS 1", "filter_string: expected NULL after IS at position 5."],
    ["n NOT = 1", "filter_string: expected LIKE or IN after NOT at position 6."],
    ["n 1", "filter_string: expected an operator after 'n'."],
    ["n = 1 n", "filter_string: unexpected 'n' at position 6."],
    ["zz = 1", "filter_string: unknown column 'zz'. The index has columns: id, n, price, ok, tags, text, d."],
  ])("%s -> %s", (filter, message) => {
    expect(err400(() => compileFilterString(filter, schema))).toBe(message);
  });
});
