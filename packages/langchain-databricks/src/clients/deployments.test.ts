import { afterEach, describe, expect, test, vi } from "vitest";
import { DatabricksConfigError } from "../errors.js";
import { buildCreatePayload } from "./deployments.js";

const servedEntities = [{ entity_name: "main.default.m", entity_version: "1", workload_size: "Small" }];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("buildCreatePayload", () => {
  test("legacy style (the seed's name + config): config minus tags/rate_limits, top-level extras, route_optimized false", () => {
    const payload = buildCreatePayload({
      name: "seed-endpoint",
      config: {
        served_entities: servedEntities,
        traffic_config: { routes: [{ served_model_name: "m-1", traffic_percentage: 100 }] },
        tags: [{ key: "team", value: "ml" }],
        rate_limits: [{ calls: 10, key: "user", renewal_period: "minute" }],
      },
    });
    expect(payload).toEqual({
      name: "seed-endpoint",
      config: {
        served_entities: servedEntities,
        traffic_config: { routes: [{ served_model_name: "m-1", traffic_percentage: 100 }] },
      },
      route_optimized: false,
      tags: [{ key: "team", value: "ml" }],
      rate_limits: [{ calls: 10, key: "user", renewal_period: "minute" }],
    });
    expect(
      buildCreatePayload({ name: "ro", config: { served_entities: servedEntities }, routeOptimized: true }),
    ).toMatchObject({ name: "ro", route_optimized: true });
  });

  test("full-payload style is sent as given; name may come from either place but must agree", () => {
    const full = {
      name: "full",
      config: { served_entities: servedEntities },
      tags: [{ key: "k", value: "v" }],
      ai_gateway: { usage_tracking_config: { enabled: true } },
    };
    expect(buildCreatePayload({ config: full })).toEqual(full);
    expect(buildCreatePayload({ name: "full", config: full })).toEqual(full);
    const { name: _n, ...unnamed } = full;
    expect(buildCreatePayload({ name: "given", config: unnamed })).toEqual({ ...unnamed, name: "given" });
    expect(() => buildCreatePayload({ name: "other", config: full })).toThrow(/name mismatch/);
    expect(() => buildCreatePayload({ config: { config: {} } })).toThrow(/'name' field is required/);
    expect(() => buildCreatePayload({ config: { served_entities: servedEntities } })).toThrow(
      DatabricksConfigError,
    );
  });

  test("MLflow's route_optimized quirk is not copied: a payload true/false needs no matching parameter and warns nothing", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const emit = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const base = { name: "ro", config: { served_entities: servedEntities } };
    // MLflow defaults its parameter to False, so this "conflicts" there; here it is simply honoured.
    expect(buildCreatePayload({ config: { ...base, route_optimized: true } }).route_optimized).toBe(true);
    // ...and false is not a deprecation warning.
    expect(buildCreatePayload({ config: { ...base, route_optimized: false } }).route_optimized).toBe(false);
    // Omitted everywhere: nothing is invented on the full-payload path.
    expect("route_optimized" in buildCreatePayload({ config: base })).toBe(false);
    expect(warn).not.toHaveBeenCalled();
    expect(emit).not.toHaveBeenCalled();
    // A real conflict (both given, different) is still an error, in both styles.
    expect(() =>
      buildCreatePayload({ config: { ...base, route_optimized: true }, routeOptimized: false }),
    ).toThrow(/conflicting 'route_optimized'/);
    expect(() =>
      buildCreatePayload({
        name: "ro",
        config: { served_entities: servedEntities, route_optimized: true },
        routeOptimized: false,
      }),
    ).toThrow(/conflicting 'route_optimized'/);
    expect(
      buildCreatePayload({ config: { ...base, route_optimized: true }, routeOptimized: true })
        .route_optimized,
    ).toBe(true);
  });

  test("config must be an object", () => {
    expect(() => buildCreatePayload({ name: "x", config: [] as never })).toThrow(/must be an object/);
  });
});
