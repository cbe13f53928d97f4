/**
 * Interop: `@databricks/sdk-experimental`'s DatabaseAPI drives Lakebase instances and credentials against the
 * emulator (its own request building, waiter and error parsing), and `pg` logs in with the credential it got.
 */
import { ApiError, Time, TimeUnits } from "@databricks/sdk-experimental";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClient } from "../../test-support/sdk-client.js";
import type { EmulatorHandle } from "../options.js";
import { startEmulator } from "../server.js";

describe("@databricks/sdk-experimental DatabaseAPI against the emulator", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator({ foundationModels: false });
  });
  afterAll(() => emu?.close());

  it("creates (waiting for AVAILABLE), lists, generates a credential pg logs in with, and deletes", async () => {
    const w = await sdkClient(emu.url, { token: emu.token });
    const waiter = await w.database.createDatabaseInstance({
      database_instance: { name: "sdk-lb", capacity: "CU_1" },
    });
    const inst = await waiter.wait({ timeout: new Time(60, TimeUnits.seconds) });
    expect(inst.state).toBe("AVAILABLE");
    expect(inst.read_write_dns).toMatch(/^127\.0\.0\.1:\d+$/);

    const names: string[] = [];
    for await (const i of w.database.listDatabaseInstances({})) names.push(i.name);
    expect(names).toEqual(["sdk-lb"]);

    const cred = await w.database.generateDatabaseCredential({
      instance_names: ["sdk-lb"],
      request_id: "r-1",
    });
    expect(typeof cred.token).toBe("string");
    expect(Number.isNaN(Date.parse(String(cred.expiration_time)))).toBe(false);
    const [host, port] = String(inst.read_write_dns).split(":");
    const client = new pg.Client({
      host,
      port: Number(port),
      user: emu.userName,
      password: cred.token,
      database: "databricks_postgres",
    });
    await client.connect();
    expect((await client.query("SELECT 40 + 2 AS n")).rows).toEqual([{ n: 42 }]);
    await client.end();

    await w.database.deleteDatabaseInstance({ name: "sdk-lb", purge: true });
    const err = await w.database.getDatabaseInstance({ name: "sdk-lb" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).errorCode).toBe("RESOURCE_DOES_NOT_EXIST");
    expect((err as ApiError).statusCode).toBe(404);
  }, 90_000);
});
