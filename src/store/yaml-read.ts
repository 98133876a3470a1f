import { ESCAPED_CHAR, NOT_PLAIN, PLAIN_KEY, plainString } from "./yaml-emit.js";

/**
 * A reader for the YAML that emitYaml writes: block maps and sequences indented by two, plain keys,
 * plain scalars, double-quoted strings on one line with the emitter's escapes, null, true, false,
 * plain decimal integers, and `[]`, `{}`. Loading js-yaml costs ~5–10 ms of a command that reads one
 * record; this reads a record in well under a millisecond. Anything else (block scalars, comments,
 * flow collections with content, other escapes, numbers in other forms, a duplicate key, a tab, a
 * blank line) returns undefined and the caller asks js-yaml, whose reading (YAML 1.2 core schema)
 * this must equal wherever it answers: tests compare both on every record of the demo registry and
 * on generated strings. A plain scalar the emitter's rule (plainString) lets be written is read by
 * that same rule; files written before that rule (plain dates, `30y`) are read as js-yaml reads them.
 */

/** What js-yaml's core schema reads as an integer or a float (its resolvers in js-yaml/lib/type). */
const NUMBER =
  /^(?:[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const SIMPLE_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
const OTHER_SPECIAL = /^(?:~|Null|NULL|True|TRUE|False|FALSE)$/;

class NotSimple extends Error {}

function scalar(s: string): unknown {
  if (plainString(s)) return s;
  if (s.charCodeAt(0) === 0x22) return quoted(s);
  if (s === "[]") return [];
  if (s === "{}") return {};
  if (s === "null") return null;
  if (s === "true") return true;
  if (s === "false") return false;
  if (SIMPLE_INT.test(s)) return Number(s);
  if (NUMBER.test(s) || OTHER_SPECIAL.test(s) || NOT_PLAIN.test(s)) throw new NotSimple();
  return s;
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t" };

/** A double-quoted scalar that ends the line, with the escapes the emitter writes. */
function quoted(s: string): string {
  if (s.length < 2 || s.charCodeAt(s.length - 1) !== 0x22) throw new NotSimple();
  const body = s.slice(1, -1);
  let out = "";
  let from = 0;
  for (let at = body.indexOf("\\"); ; at = body.indexOf("\\", from)) {
    const raw = at < 0 ? body.slice(from) : body.slice(from, at);
    if (raw.includes('"') || ESCAPED_CHAR.test(raw)) throw new NotSimple();
    out += raw;
    if (at < 0) return out;
    const c = body[at + 1] ?? "";
    const simple = ESCAPES[c];
    if (simple !== undefined) {
      out += simple;
      from = at + 2;
      continue;
    }
    const digits = c === "x" ? 2 : c === "u" ? 4 : 0;
    const hex = body.slice(at + 2, at + 2 + digits);
    if (digits === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) throw new NotSimple();
    out += String.fromCharCode(Number.parseInt(hex, 16));
    from = at + 2 + digits;
  }
}

/** A plain key: one the emitter writes plain, or one files written before read as a string. */
function key(k: string): string {
  if (k === "__proto__") throw new NotSimple();
  if (plainString(k)) return k;
  if (!PLAIN_KEY.test(k) || k === "null" || k === "true" || k === "false" || OTHER_SPECIAL.test(k))
    throw new NotSimple();
  return k;
}

class Reader {
  i = 0;
  constructor(readonly lines: string[]) {}

  /** Indentation of line i, or -1 past the end. */
  indent(): number {
    const line = this.lines[this.i];
    if (line === undefined) return -1;
    let n = 0;
    while (line.charCodeAt(n) === 0x20) n++;
    return n;
  }

  map(ind: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.indent() === ind) {
      const line = this.lines[this.i] as string;
      if (line[ind] === "-") break;
      const colon = line.indexOf(":", ind);
      if (colon < 0) throw new NotSimple();
      const k = key(line.slice(ind, colon));
      if (Object.hasOwn(out, k)) throw new NotSimple();
      const rest = line.slice(colon + 1);
      this.i++;
      if (rest === "") out[k] = this.nested(ind);
      else if (rest[0] === " ") out[k] = scalar(rest.slice(1));
      else throw new NotSimple();
    }
    return out;
  }

  /** The block value under a key at `ind`: a map or a sequence indented by two. */
  nested(ind: number): unknown {
    if (this.indent() !== ind + 2) throw new NotSimple();
    const line = this.lines[this.i] as string;
    return line[ind + 2] === "-" ? this.seq(ind + 2) : this.map(ind + 2);
  }

  seq(ind: number): unknown[] {
    const out: unknown[] = [];
    while (this.indent() === ind && (this.lines[this.i] as string)[ind] === "-") {
      const line = this.lines[this.i] as string;
      if (line[ind + 1] !== " ") throw new NotSimple();
      const rest = line.slice(ind + 2);
      const colon = rest.indexOf(":");
      if (
        colon > 0 &&
        (colon === rest.length - 1 || rest[colon + 1] === " ") &&
        PLAIN_KEY.test(rest.slice(0, colon))
      ) {
        // `- key: …` opens a map whose keys stand two to the right of the dash.
        this.lines[this.i] = `${" ".repeat(ind + 2)}${rest}`;
        out.push(this.map(ind + 2));
      } else {
        out.push(scalar(rest));
        this.i++;
      }
    }
    return out;
  }
}

/** The value of YAML text in the simple form, or undefined when js-yaml must read it. */
export function parseSimpleYaml(text: string): Record<string, unknown> | undefined {
  if (!text.endsWith("\n") || text.includes("\r") || text.includes("\t")) return undefined;
  const lines = text.slice(0, -1).split("\n");
  const r = new Reader(lines);
  try {
    if (r.indent() !== 0) return undefined;
    const value = r.map(0);
    return r.i === lines.length ? value : undefined;
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
}
