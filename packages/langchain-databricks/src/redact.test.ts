import { describe, expect, test } from "vitest";
import { REDACTED, redactError, redactSecrets } from "./redact.js";

const PAT = "dapi0123456789abcdef0123456789abcdef";
const CLIENT_ID = "6d7f1f3c-1111-2222-3333-444455556666";
const SECRET = "dose0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d";
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

/** The redacted text must hold no secret in any encoding. */
function expectClean(text: string): void {
  for (const s of [PAT, SECRET]) {
    expect(text).not.toContain(s);
    expect(text).not.toContain(encodeURIComponent(s));
    expect(text).not.toContain(b64(s).slice(4, -4));
  }
  expect(text).not.toContain(b64(`token:${PAT}`).slice(0, -2));
  expect(text).not.toContain(b64(`${CLIENT_ID}:${SECRET}`).slice(0, -2));
}

describe("redactSecrets: every form a credential takes", () => {
  const known = [PAT, SECRET];
  test.each([
    ["raw token", `token ${PAT} rejected`],
    ["raw client secret", `secret ${SECRET} rejected`],
    ["Basic base64(token:PAT)", `Authorization: Basic ${b64(`token:${PAT}`)}`],
    ["Basic base64(id:secret)", `got Basic ${b64(`${CLIENT_ID}:${SECRET}`)}!`],
    ["base64(token:PAT) without Basic, URL-safe", `cred=${b64url(`token:${PAT}`)}`],
    [
      "base64(id:secret) padded, other prefix lengths",
      `x ${b64(`a${CLIENT_ID}:${SECRET}`)} ${b64(`ab:${SECRET}`)}`,
    ],
    ["base64 of the secret alone", `v=${b64(SECRET)}`],
    ["OAuth echo", `body=grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${SECRET}`],
    ["access_token in a URL", `GET https://h/api?access_token=${PAT}&x=1 failed`],
    ["Bearer", `Authorization: Bearer ${PAT}`],
    ["URL-encoded secret", `secret=${encodeURIComponent(`${SECRET}/+=`)}`],
    ["JSON field", `{"access_token": "${PAT}", "token_type": "Bearer"}`],
  ])("%s", (_name, text) => {
    const out = redactSecrets(text, [...known, `${SECRET}/+=`]);
    expectClean(out);
    expect(out).toContain(REDACTED);
  });

  test("unknown secrets in structural forms go too (Bearer, Basic, client_secret=, access_token=)", () => {
    const out = redactSecrets(
      `Bearer eyJhbGciOi.xyz Basic ${b64("u:p4ssw0rd-long")} client_secret=zzz&access_token=yyy`,
    );
    expect(out).toBe(
      `Bearer ${REDACTED} Basic ${REDACTED} client_secret=${REDACTED}&access_token=${REDACTED}`,
    );
  });

  test("ordinary text is left alone; short 'secrets' do not mangle it", () => {
    const text = "Endpoint my-chat is not ready (Basic tier). Bearer tokens expire.";
    expect(redactSecrets(text, ["my", undefined, ""])).toBe(text);
  });

  test("redactError cleans message, stack and the cause chain in place", () => {
    const inner = new Error(`echo ${b64(`token:${PAT}`)}`);
    const outer = new Error(`failed with ${PAT}`, { cause: inner });
    expect(redactError(outer, [PAT])).toBe(outer);
    expectClean(outer.message);
    expectClean(String(outer.stack));
    expectClean(inner.message);
  });
});
