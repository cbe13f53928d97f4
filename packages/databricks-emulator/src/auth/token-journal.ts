import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../state/atomic-file.js";

const FILE = "oauth-tokens.jsonl";

export interface JournalToken {
  token: string;
  principal: string;
  expiresAt: number;
  /** OAuth `authorization_details` the token was scoped by (Vector Search data-plane tokens). */
  authorizationDetails?: unknown[];
}

/**
 * OAuth access tokens under `dataDir`, kept out of `workspace.json`: each mint appends one line (O(1), no rewrite
 * of the workspace state), the file is compacted to the live tokens at start and whenever dead lines outnumber
 * live ones. Lines are appended without fsync: a `kill -9` keeps them (page cache); an OS crash may cost a token,
 * and its client simply mints a new one.
 */
export class TokenJournal {
  private readonly file: string;
  private lines = 0;

  constructor(dataDir: string) {
    this.file = join(dataDir, FILE);
  }

  /** Tokens recorded so far (a torn last line from a crash is skipped). */
  load(): JournalToken[] {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const out: JournalToken[] = [];
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        const t = JSON.parse(line) as Partial<JournalToken>;
        if (typeof t.token === "string" && typeof t.principal === "string" && typeof t.expiresAt === "number")
          out.push({ token: t.token, principal: t.principal, expiresAt: t.expiresAt });
      } catch {
        // Torn write at a crash: ignore the line.
      }
    }
    this.lines = out.length;
    return out;
  }

  append(t: JournalToken): void {
    appendFileSync(this.file, `${JSON.stringify(t)}\n`, { mode: 0o600 });
    this.lines++;
  }

  /** Whether the file holds many more lines than `live` tokens (time to `rewrite`). */
  wantsCompaction(live: number): boolean {
    return this.lines > 2 * live + 1000;
  }

  /** Replaces the file with exactly `tokens` (state/atomic-file.ts). */
  rewrite(tokens: Iterable<JournalToken>): void {
    let text = "";
    let n = 0;
    for (const t of tokens) {
      text += `${JSON.stringify(t)}\n`;
      n++;
    }
    writeFileAtomic(this.file, text);
    this.lines = n;
  }
}
