/**
 * `endpoints` against an emulator with no foundation endpoints and a clock that only moves when the test says so:
 * empty lists, states in progress, the request body forms and their errors.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { useCliSession } from "../../test-support/cli-session.js";

const TRANSITION = 60_000;
const session = useCliSession(
  {
    foundationModels: false,
    models: { echo: { predict: (records: unknown) => records } },
    transitionMs: TRANSITION,
  },
  "ldb-endpoints-cli-",
);
const { run, expectUsageError } = session;

const served = (version: string) => ({
  served_entities: [
    { entity_name: "echo", entity_version: version, workload_size: "Small", scale_to_zero_enabled: true },
  ],
});

it("with no endpoints: the table says so and --json is an empty array", async () => {
  const table = await run(["endpoints", "list"]);
  expect(table.code, table.err).toBe(0);
  expect(table.out).toBe("(no endpoints)\n");
  expect((await run(["endpoints", "list", "--json"])).out).toBe("[]\n");
});

it("states in progress show in the table; wait --json once the transition is over; delete says so", async () => {
  writeFileSync(join(session.dir, "create.json"), JSON.stringify({ name: "cli-slow", config: served("1") }));
  const created = await run(["endpoints", "create", "--json", "@create.json"]);
  expect(created.code, created.err).toBe(0);
  // Without --wait: the endpoint as the create call returned it, still being set up.
  expect(JSON.parse(created.out)).toMatchObject({
    name: "cli-slow",
    state: { config_update: "IN_PROGRESS" },
  });
  const creating = await run(["endpoints", "list"]);
  expect(creating.out).toMatch(/^NAME\s+STATE\s+TASK\s+TYPE\ncli-slow\s+NOT_READY \(IN_PROGRESS\)\n$/);

  session.emulator.admin.advanceClock(TRANSITION + 1);
  expect((await run(["endpoints", "list"])).out).toMatch(/\ncli-slow\s+READY\n$/);

  const updated = await run(["endpoints", "update-config", "cli-slow", "--json", "-"], {
    stdin: JSON.stringify(served("2")),
  });
  expect(updated.code, updated.err).toBe(0);
  expect(JSON.parse(updated.out).state).toMatchObject({ ready: "READY", config_update: "IN_PROGRESS" });
  expect((await run(["endpoints", "list"])).out).toMatch(/\ncli-slow\s+READY \(IN_PROGRESS\)\n$/);

  session.emulator.admin.advanceClock(TRANSITION + 1);
  const waited = await run(["endpoints", "wait", "cli-slow", "--json"]);
  expect(waited.code, waited.err).toBe(0);
  expect(JSON.parse(waited.out)).toMatchObject({
    name: "cli-slow",
    state: { ready: "READY", config_update: "NOT_UPDATING" },
  });

  const deleted = await run(["endpoints", "delete", "cli-slow"]);
  expect(deleted.out).toBe("Deleted endpoint cli-slow.\n");
  expect((await run(["endpoints", "list"])).out).toBe("(no endpoints)\n");
});

it("request bodies: not an object, not JSON, unreadable; nothing is created", async () => {
  writeFileSync(join(session.dir, "array.json"), "[1, 2]");
  await expectUsageError(
    ["endpoints", "create", "--json", "array.json"],
    "array.json must hold a JSON object.",
  );
  await expectUsageError(
    ["endpoints", "update-config", "x", "--json", "-"],
    "stdin must hold a JSON object.",
    {
      stdin: "null",
    },
  );
  writeFileSync(join(session.dir, "broken.json"), '{"name": ');
  const broken = await run(["endpoints", "create", "--json", "@broken.json"]);
  expect(broken.code).toBe(1);
  expect(broken.err).toMatch(/^Error: broken\.json is not valid JSON: /);
  await expectUsageError(
    ["endpoints", "create", "--json", "@nope.json"],
    'cannot read --json file "nope.json" (ENOENT).',
  );
  await expectUsageError(["endpoints", "create", "--json", "."], 'cannot read --json file "." (EISDIR).');
  await expectUsageError(
    ["endpoints", "create", "--json", '{"name": ""}'],
    'endpoints create: the JSON body needs a "name" string.',
  );
  expect((await run(["endpoints", "list", "--json"])).out).toBe("[]\n");
});
