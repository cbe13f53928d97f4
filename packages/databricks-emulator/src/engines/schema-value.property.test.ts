/**
 * Property-based check of the structured-output generator: for many random JSON schemas (types, enums,
 * patterns, formats, numeric and length bounds, required, nesting, arrays, anyOf/$ref) and random user texts,
 * `valueForSchema` returns a value that ajv (with formats) accepts, and the same input gives the same value.
 */
import Ajv from "ajv";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonBody } from "../../test-support/engines.js";
import { runChat } from "./chat.js";
import type { EngineModel } from "./contract.js";
import { valueForSchema } from "./schema-value.js";
import { extractFacts } from "./text-facts.js";

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

type Schema = Record<string, unknown>;

const PATTERNS = [
  "^\\d{5}$",
  "^[A-Z]{2}-\\d{3,}$",
  "^(foo|bar)_[a-z]+$",
  "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$",
  "^[A-F0-9]{8}(-[A-F0-9]{4}){3}$",
  "^[a-z]+$",
  "^[A-Z]{3}$",
  "^\\d{4}-\\d{2}-\\d{2}$",
  "^[a-z0-9_-]{3,16}$",
  "^x-\\d+$",
  "^[A-Z][a-z]*$",
];
const FORMATS = ["date", "date-time", "time", "email", "uri", "uuid", "ipv4", "hostname"];

const stringSchema: fc.Arbitrary<Schema> = fc.oneof(
  fc.record({ type: fc.constant("string") }),
  fc
    .tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 30 }))
    .map(([a, b]) => ({ type: "string", minLength: Math.min(a, b), maxLength: Math.max(a, b, 1) })),
  fc.constantFrom(...PATTERNS).map((pattern) => ({ type: "string", pattern })),
  fc
    .tuple(fc.constantFrom("^[a-z]+$", "^\\d+$", "^[A-Z][a-z0-9]*$"), fc.integer({ min: 1, max: 12 }))
    .map(([pattern, n]) => ({ type: "string", pattern, minLength: n, maxLength: n + 3 })),
  fc.constantFrom(...FORMATS).map((format) => ({ type: "string", format })),
  fc
    .uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 5 })
    .map((e) => ({ type: "string", enum: e })),
);

const numberSchema: fc.Arbitrary<Schema> = fc
  .record({
    type: fc.constantFrom("number", "integer"),
    lo: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: undefined }),
    span: fc.integer({ min: 2, max: 1000 }),
    hasMax: fc.boolean(),
    exclusive: fc.boolean(),
    multipleOf: fc.option(fc.constantFrom(1, 2, 5, 10), { nil: undefined }),
  })
  .map(({ type, lo, span, hasMax, exclusive, multipleOf }) => {
    const s: Schema = { type };
    if (lo !== undefined) s[exclusive ? "exclusiveMinimum" : "minimum"] = lo;
    if (hasMax) {
      const base = lo ?? 0;
      const hi = multipleOf ? Math.ceil((base + span) / multipleOf) * multipleOf + multipleOf : base + span;
      s[exclusive ? "exclusiveMaximum" : "maximum"] = hi;
    }
    if (multipleOf && type === "integer") s.multipleOf = multipleOf;
    return s;
  });

const leaf: fc.Arbitrary<Schema> = fc.oneof(
  stringSchema,
  numberSchema,
  fc.constant({ type: "boolean" }),
  fc.constant({ type: ["string", "null"] }),
  fc.constant({ enum: [1, "two", null] }),
);

const { schema: schemaArb } = fc.letrec<{ schema: Schema; object: Schema; array: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("object"),
    tie("array"),
    fc.array(tie("schema"), { minLength: 1, maxLength: 3 }).map((anyOf) => ({ anyOf })),
  ),
  object: fc
    .dictionary(fc.stringMatching(/^[a-z][a-z_]{0,10}$/), tie("schema"), { minKeys: 1, maxKeys: 5 })
    .chain((properties) =>
      fc.subarray(Object.keys(properties)).map((required) => ({
        type: "object",
        properties,
        required,
        additionalProperties: false,
      })),
    ),
  array: fc
    .record({
      items: tie("schema"),
      min: fc.integer({ min: 0, max: 3 }),
      extra: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ items, min, extra }) => ({ type: "array", items, minItems: min, maxItems: min + extra })),
}));

const texts = fc.oneof(
  fc.constant(""),
  fc.constant("What is the weather in Paris and in London on 2024-03-01?"),
  fc.constant('Book a table for 4 people named "Smith" at 19:30 in New York, email me at a@b.io'),
  fc.string({ maxLength: 60 }),
  fc
    .array(fc.integer({ min: -5000, max: 5000 }), { maxLength: 6 })
    .map((ns) => `numbers ${ns.join(" and ")}`),
);

describe("valueForSchema (property-based, validated with ajv + ajv-formats)", () => {
  it("always produces a value valid against the schema, deterministically", () => {
    fc.assert(
      fc.property(schemaArb, texts, (schema, text) => {
        const v = valueForSchema(schema, extractFacts(text));
        const ok = ajv.validate(schema, v);
        if (!ok)
          throw new Error(`${JSON.stringify(v)} invalid: ${ajv.errorsText()} for ${JSON.stringify(schema)}`);
        expect(valueForSchema(schema, extractFacts(text))).toEqual(v);
      }),
      { numRuns: 400, seed: 1405 },
    );
  });

  it("nested $ref / $defs schemas (Pydantic and zod-to-json-schema shapes)", () => {
    const schema = {
      $defs: {
        Address: {
          type: "object",
          properties: {
            city: { type: "string", minLength: 2 },
            zip: { type: "string", pattern: "^\\d{5}$" },
          },
          required: ["city", "zip"],
        },
        Status: { type: "string", enum: ["active", "inactive"] },
      },
      type: "object",
      properties: {
        name: { type: "string" },
        age: { type: "integer", minimum: 18, maximum: 99 },
        status: { $ref: "#/$defs/Status" },
        home: { $ref: "#/$defs/Address" },
        tags: { type: "array", items: { type: "string" }, minItems: 2, uniqueItems: true },
        contact: { anyOf: [{ type: "string", format: "email" }, { type: "null" }] },
      },
      required: ["name", "age", "status", "home", "tags", "contact"],
      additionalProperties: false,
    };
    const v = valueForSchema(schema, extractFacts("Alice is 30, inactive, lives in Berlin"));
    expect(ajv.validate(schema, v)).toBe(true);
    expect(v).toMatchObject({
      age: 30,
      status: "inactive",
      home: { city: "Berlin", zip: "00000".replace(/0/g, "0") },
    });
  });
});

describe("structured output through the chat engine", () => {
  const llama: EngineModel = { modelName: "llama", task: "llm/v1/chat", family: "llama" };
  const content = (body: Record<string, unknown>): unknown => {
    const out = jsonBody(runChat(body, llama, "openai"));
    const m = ((out.choices as Record<string, unknown>[])[0] as Record<string, unknown>).message as Record<
      string,
      unknown
    >;
    return JSON.parse(m.content as string);
  };

  it("json_schema content and tool arguments validate for random schemas", () => {
    fc.assert(
      fc.property(
        schemaArb.filter((s) => s.type === "object"),
        texts,
        (schema, text) => {
          const user = text.length > 0 ? text : "fill it";
          const v = content({
            messages: [{ role: "user", content: user }],
            response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } },
          });
          expect(ajv.validate(schema, v)).toBe(true);
          const out = jsonBody(
            runChat(
              {
                messages: [{ role: "user", content: user }],
                tools: [
                  {
                    type: "function",
                    function: { name: "fill", description: "fill a form", parameters: schema },
                  },
                ],
                tool_choice: "required",
              },
              llama,
              "openai",
            ),
          );
          const message = ((out.choices as Record<string, unknown>[])[0] as Record<string, unknown>)
            .message as {
            tool_calls: { function: { arguments: string } }[];
          };
          for (const c of message.tool_calls)
            expect(ajv.validate(schema, JSON.parse(c.function.arguments))).toBe(true);
        },
      ),
      { numRuns: 50, seed: 14 },
    );
  });

  it("json_object follows a JSON schema carried in the prompt", () => {
    const schema = {
      type: "object",
      properties: {
        name: { type: "string" },
        age: { type: "integer" },
        mood: { type: "string", enum: ["happy", "sad"] },
      },
      required: ["name", "age", "mood"],
    };
    const v = content({
      messages: [
        { role: "system", content: `Answer in JSON matching this schema: ${JSON.stringify(schema)}` },
        { role: "user", content: "Bob is 41 and sad" },
      ],
      response_format: { type: "json_object" },
    });
    expect(ajv.validate(schema, v)).toBe(true);
    expect(v).toMatchObject({ age: 41, mood: "sad" });
  });

  it("json_object: 'JSON with name and age' gives those fields, numbers for number-like names", () => {
    expect(
      content({
        messages: [{ role: "user", content: "Return JSON with name and age for Grace Hopper, 85." }],
        response_format: { type: "json_object" },
      }),
    ).toEqual({ name: "Grace Hopper", age: 85 });
    expect(
      content({
        messages: [{ role: "user", content: "Give a JSON object with fields title and year for Dune 1965" }],
        response_format: { type: "json_object" },
      }),
    ).toEqual({ title: "Dune", year: 1965 });
  });

  it("json_object has exactly the fields a prompt lists, else an answer field", () => {
    expect(
      Object.keys(
        content({
          messages: [
            { role: "user", content: "Reply in JSON with the keys name, age and city. Ann, 7, Rome" },
          ],
          response_format: { type: "json_object" },
        }) as object,
      ),
    ).toEqual(["name", "age", "city"]);
    expect(
      content({ messages: [{ role: "user", content: "hello" }], response_format: { type: "json_object" } }),
    ).toEqual({
      answer: "Hello! How can I help you today?",
    });
  });
});
