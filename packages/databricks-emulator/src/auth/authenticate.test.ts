import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.js";
import { authenticate, callerIdentifier } from "./authenticate.js";
import { DEFAULT_ADMIN, makeIdentity } from "./identity.js";
import type { AuthStore } from "./store.js";

const admin = makeIdentity("user", DEFAULT_ADMIN, { admin: true });
const alice = makeIdentity("user", "alice@example.com");
const TOKENS: Record<string, ReturnType<typeof makeIdentity>> = { "dapi-alice": alice, "dapi-admin": admin };
const store = {
  resolveToken: (t: string) => TOKENS[t],
  identityOf: (p: string) => (p === DEFAULT_ADMIN ? admin : undefined),
} as unknown as AuthStore;

const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;

function outcome(header: string | undefined): string {
  try {
    return authenticate(header, store, "req-1").name;
  } catch (e) {
    const err = e as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    return `${err.status} ${err.message}${err.extra.headers ? ` ${JSON.stringify(err.extra.headers)}` : ""}`;
  }
}

const MISSING = "401 Credential was not sent or was of an unsupported type for this API. [ReqId: req-1]";
const INVALID = '403 Invalid access token. {"x-databricks-reason-phrase":"Invalid access token."}';

describe("authenticate", () => {
  it("accepts a bearer token (any case of the scheme) and Basic token:<PAT>", () => {
    expect(outcome("Bearer dapi-alice")).toBe("alice@example.com");
    expect(outcome("bearer  dapi-alice ")).toBe("alice@example.com");
    expect(outcome(basic("token", "dapi-alice"))).toBe("alice@example.com");
  });

  it("no usable credential is a 401 with the request id, as workspaces answer", () => {
    for (const header of [
      undefined,
      "",
      "Bearer",
      "Bearer  ",
      "Digest abc",
      basic("alice", "pw"),
      "Basic bm9jb2xvbg==",
    ])
      expect(outcome(header), String(header)).toBe(MISSING);
  });

  it("an unknown token is a 403 with the reason-phrase header", () => {
    expect(outcome("Bearer dapi-unknown")).toBe(INVALID);
    expect(outcome(basic("token", "dapi-unknown"))).toBe(INVALID);
  });
});

describe("callerIdentifier", () => {
  it("with auth on, it authenticates", () => {
    const who = callerIdentifier(store, true);
    expect(who("Bearer dapi-alice", "r").name).toBe("alice@example.com");
    expect(() => who(undefined, "r")).toThrow(ApiError);
  });

  it("with auth off, a known bearer token still names its principal; anything else is the default admin", () => {
    const who = callerIdentifier(store, false);
    expect(who("Bearer dapi-alice", "r").name).toBe("alice@example.com");
    expect(who("Bearer dapi-unknown", "r")).toBe(admin);
    expect(who(undefined, "r")).toBe(admin);
    expect(who(basic("token", "dapi-alice"), "r")).toBe(admin);
  });

  it("with auth off and no default admin in the store, it refuses to start", () => {
    const empty = { resolveToken: () => undefined, identityOf: () => undefined } as unknown as AuthStore;
    expect(() => callerIdentifier(empty, false)).toThrow(`the auth store has no ${DEFAULT_ADMIN} principal`);
  });
});
