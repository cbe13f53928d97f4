/** Databricks SQL identifier helpers: quoting and splitting dotted names. */
import { DatabricksConfigError } from "../errors.js";

/** Quotes an identifier for Databricks SQL: `` `a``b` ``; a dotted name is quoted part by part. */
export const quoteName = (name: string): string =>
  splitDotted(name)
    .map((p) => `\`${p.replace(/`/g, "``")}\``)
    .join(".");

/** Splits `a.b.c` (parts may be backtick-quoted); throws on an empty part. */
export const splitDotted = (name: string): string[] => {
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (quoted) {
      if (ch === "`" && name[i + 1] === "`") {
        cur += "`";
        i++;
      } else if (ch === "`") quoted = false;
      else cur += ch;
    } else if (ch === "`") quoted = true;
    else if (ch === ".") {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  if (quoted || parts.some((x) => x.trim() === ""))
    throw new DatabricksConfigError(`Invalid name '${name}'.`);
  return parts.map((x) => x.trim());
};
