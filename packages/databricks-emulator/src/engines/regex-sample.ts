/**
 * A shortest string matching a regular expression, for `pattern` in JSON schemas (`^\d{5}$`,
 * `^[A-Z]{2}-\d+$`, `^(foo|bar)_[a-z]+$`). Handles the subset schemas use: literals, `.`, classes with ranges
 * and negation, `\d \w \s` and their negations, groups with alternation (first branch), quantifiers
 * (`? * + {n} {n,} {n,m}`, lazy or not; the minimum is used, at least `prefer` for open ranges), anchors.
 * Returns undefined for anything else; callers check the result with the real RegExp.
 */
const CANDIDATES = "a0A_-x. ";

class Parser {
  i = 0;
  constructor(
    private readonly src: string,
    private readonly prefer: number,
  ) {}

  alternation(): string | undefined {
    const first = this.sequence();
    while (this.src[this.i] === "|") {
      this.i++;
      this.sequence();
    }
    return first;
  }

  sequence(): string | undefined {
    let out = "";
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      const atom = this.atom();
      if (atom === undefined) return undefined;
      const [min, max] = this.quantifier();
      const reps =
        max === 0 ? 0 : Math.max(min, Math.min(this.prefer, max, min === 0 ? 0 : Number.POSITIVE_INFINITY));
      out += atom.repeat(Math.max(min, reps));
    }
    return out;
  }

  quantifier(): [number, number] {
    const c = this.src[this.i];
    let q: [number, number] = [1, 1];
    if (c === "?") q = [0, 1];
    else if (c === "*") q = [0, Number.POSITIVE_INFINITY];
    else if (c === "+") q = [1, Number.POSITIVE_INFINITY];
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return q;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
      this.i += m[0].length;
      if (this.src[this.i] === "?") this.i++;
      return [min, max];
    } else return q;
    this.i++;
    if (this.src[this.i] === "?") this.i++;
    return q;
  }

  atom(): string | undefined {
    const c = this.src[this.i++] as string;
    switch (c) {
      case "^":
      case "$":
        return "";
      case ".":
        return "a";
      case "(": {
        if (this.src.startsWith("?:", this.i)) this.i += 2;
        else if (this.src[this.i] === "?") return undefined;
        const inner = this.alternation();
        if (this.src[this.i] !== ")") return undefined;
        this.i++;
        return inner;
      }
      case "[":
        return this.charClass();
      case "\\":
        return this.escape(false);
      default:
        return c;
    }
  }

  escape(inClass: boolean): string | undefined {
    const e = this.src[this.i++];
    switch (e) {
      case "d":
        return "0";
      case "w":
        return "a";
      case "s":
        return " ";
      case "D":
      case "W":
      case "S":
        return e === "W" ? "-" : "a";
      case "b":
      case "B":
        return inClass ? "\b" : "";
      case "n":
        return "\n";
      case "t":
        return "\t";
      case undefined:
        return undefined;
      default:
        return /[1-9pPuxck]/.test(e) ? undefined : e;
    }
  }

  charClass(): string | undefined {
    const negated = this.src[this.i] === "^";
    if (negated) this.i++;
    const members: ((ch: string) => boolean)[] = [];
    let firstChar: string | undefined;
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== "]" || first)) {
      first = false;
      let lo: string | undefined;
      if (this.src[this.i] === "\\") {
        this.i++;
        const k = this.src[this.i];
        if (k && "dwsDWS".includes(k)) {
          this.i++;
          const re = new RegExp(`\\${k}`);
          members.push((ch) => re.test(ch));
          firstChar ??= { d: "0", w: "a", s: " ", D: "a", W: "-", S: "a" }[k];
          continue;
        }
        lo = this.escape(true);
      } else lo = this.src[this.i++];
      if (lo === undefined) return undefined;
      if (this.src[this.i] === "-" && this.src[this.i + 1] !== "]" && this.i + 1 < this.src.length) {
        this.i++;
        let hi: string | undefined;
        if (this.src[this.i] === "\\") {
          this.i++;
          hi = this.escape(true);
        } else hi = this.src[this.i++];
        if (hi === undefined) return undefined;
        const a = lo.codePointAt(0) as number;
        const b = hi.codePointAt(0) as number;
        members.push((ch) => (ch.codePointAt(0) as number) >= a && (ch.codePointAt(0) as number) <= b);
        firstChar ??= lo;
      } else {
        const l = lo;
        members.push((ch) => ch === l);
        firstChar ??= lo;
      }
    }
    if (this.src[this.i] !== "]") return undefined;
    this.i++;
    if (!negated) return firstChar;
    return [...CANDIDATES].find((ch) => !members.some((m) => m(ch)));
  }
}

export const sampleForPattern = (pattern: string, prefer = 1): string | undefined => {
  try {
    const p = new Parser(pattern, prefer);
    const s = p.alternation();
    if (s === undefined || p.i !== pattern.length) return undefined;
    return new RegExp(pattern, "u").test(s) ? s : undefined;
  } catch {
    return undefined;
  }
};
