/**
 * External links of EXTERNAL_LINKS results (spec/sql.md "Statements"): HMAC-signed, expiring URLs under
 * `RESULT_LINK_PREFIX`, served without workspace auth. Like cloud storage a download refuses an Authorization
 * header (400), a tampered signature (403) and an expired link (403), with S3-style XML errors.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../util/clock.js";
import type { StatementOptions } from "./statement-request.js";

export const RESULT_LINK_PREFIX = "/__emulator-sql-results";

/** What a link download answers. */
export interface LinkResponse {
  status: number;
  type: string;
  body: Buffer | string;
}

const xmlError = (status: number, code: string, message: string): LinkResponse => ({
  status,
  type: "application/xml",
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

/** 404 for a link whose result is gone (or never existed). */
export const noSuchKey = (): LinkResponse => xmlError(404, "NoSuchKey", "The specified key does not exist.");

export class ResultLinkSigner {
  private readonly key = randomBytes(32);

  constructor(
    private readonly clock: Clock,
    private readonly options: StatementOptions,
    private readonly baseUrl: () => string,
  ) {}

  private signature(id: string, index: number, exp: number): string {
    return createHmac("sha256", this.key).update(`${id}/${index}/${exp}`).digest("hex");
  }

  /** A fresh signed link to chunk `index` of statement `id`, with its expiration time. */
  link(id: string, index: number): { external_link: string; expiration: string } {
    const exp = this.clock.now() + (this.options.linkTtlSeconds ?? 900) * 1000;
    const sig = this.signature(id, index, exp);
    return {
      external_link: `${this.baseUrl()}${RESULT_LINK_PREFIX}/${id}/${index}?X-Expires=${exp}&X-Signature=${sig}`,
      expiration: new Date(exp).toISOString(),
    };
  }

  /** The error a download request gets, or undefined when its link is valid. */
  refusal(
    id: string,
    index: number,
    query: Record<string, string | undefined>,
    authorization: string | undefined,
  ): LinkResponse | undefined {
    if (authorization !== undefined) {
      return xmlError(
        400,
        "InvalidArgument",
        "Only one auth mechanism allowed; only the X-Signature query parameter is supported, do not send an Authorization header.",
      );
    }
    const exp = Number(query["X-Expires"]);
    const sig = query["X-Signature"] ?? "";
    const expected = this.signature(id, index, exp);
    if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) {
      return xmlError(403, "SignatureDoesNotMatch", "The request signature does not match.");
    }
    if (!(exp > this.clock.now())) return xmlError(403, "AccessDenied", "Request has expired.");
    return undefined;
  }
}
