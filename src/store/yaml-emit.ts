import { isMap } from "../core/raw.js";

/**
 * The YAML text of every record and file office-doc writes (toYaml). It must mean the same thing to
 * every reader an office or an archivist may use: the `yaml` package (YAML 1.2), js-yaml (1.2 core
 * schema, or its default schema with timestamps) and PyYAML (YAML 1.1). So a string is written plain
 * only when its shape is safe in all of them, and otherwise in double quotes with the escapes all of
 * them read (`\"`, `\\`, `\n`, `\t`, `\xXX`, `\uXXXX`); characters YAML 1.1 forbids in a file or
 * takes for a line break are always escaped. Written directly (~0.1 ms a record; the `yaml` package
 * costs ~15 ms to load): tests read the output back with all three readers, and with PyYAML when
 * python3 has it.
 */

/**
 * Characters never written as they are: C0 controls (tab and line feed too), DEL, C1 controls (NEL
 * U+0085 is a line break to YAML 1.1, the others are forbidden there), U+2028/2029 (line breaks to
 * YAML 1.1), the byte-order mark, U+FFFE/FFFF and lone surrogates (not characters; UTF-8 cannot hold
 * them). Shared with the reader: what holds one of these is never read directly.
 */
const ESCAPED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  /[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ESCAPED_G = new RegExp(`["\\\\]|${ESCAPED.source}`, "g");

export { ESCAPED as ESCAPED_CHAR };

/**
 * The syntax of a plain scalar on one line, for every reader: it may not start with an indicator or
 * white space, hold ": " or " #", end with ":" or white space, or hold an escaped character. The
 * reader (yaml-read.ts) reads plain only what passes this.
 */
export const NOT_PLAIN = new RegExp(`^(?:$|[-?:,[\\]{}#&*!|>'"%@\`\\s])|\\s$|: |:$| #|${ESCAPED.source}`);

/**
 * Plain text that some reader takes for something else than a string. A string of printable ASCII
 * starting with a digit, a sign or a dot may be a number in one of the YAML versions (0x1F, +0x1F,
 * 0b101, 1_000, 1:20 sexagesimal, .5, 1e3, .inf) or a timestamp (2026-02-13, 2026-2-3 1:02:03):
 * all are quoted rather than matched form by form; so is `E0`, a float (NaN, read as null) to the
 * yaml package's YAML 1.1 schema. A non-ASCII character makes every implicit type fail (their
 * patterns are ASCII), so "2026年工作要点" stays plain. The words are YAML 1.1's and 1.2's null and
 * booleans (y/n too, as the 1.1 spec lists them), the merge key `<<` and the value key `=` (PyYAML
 * refuses a file holding it).
 */
const NUMBER_LIKE = /^(?:[-+.0-9][\x20-\x7e]*|[eE][-+]?[0-9]+)$/;
const WORD =
  /^(?:~|null|Null|NULL|[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|<<|=)$/;

/** The keys files written before plainString could hold plain, read directly as js-yaml reads them. */
export const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Is `s` written as it is, without quotes? Every reader reads such a scalar as the string `s`. */
export function plainString(s: string): boolean {
  return !NOT_PLAIN.test(s) && !NUMBER_LIKE.test(s) && !(s.length <= 5 && WORD.test(s));
}

/** The escape of one character inside double quotes, one every reader reads. */
export function escapeChar(c: string): string {
  if (c === '"') return '\\"';
  if (c === "\\") return "\\\\";
  if (c === "\n") return "\\n";
  if (c === "\t") return "\\t";
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `s` as a YAML scalar: plain when plainString says so, else double-quoted with escapes. */
export function stringScalar(s: string): string {
  return plainString(s) ? s : `"${s.replace(ESCAPED_G, escapeChar)}"`;
}

/**
 * A number all three readers read as the same value: YAML 1.1 floats need a dot in the mantissa and
 * a signed exponent (`1.0e+21`, not `1e21`), and only 1.2 knows `-0` as anything but the integer 0.
 */
function numberScalar(v: number): string {
  if (Number.isNaN(v)) return ".nan";
  if (!Number.isFinite(v)) return v > 0 ? ".inf" : "-.inf";
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  if (Number.isInteger(v) && !s.includes("e")) return s;
  const [mantissa = s, exponent] = s.split("e");
  const m = mantissa.includes(".") ? mantissa : `${mantissa}.0`;
  return exponent === undefined ? m : `${m}e${exponent}`;
}

function scalar(v: unknown): string {
  if (typeof v === "string") return stringScalar(v);
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return numberScalar(v);
  throw new TypeError(
    `office-doc writes no ${typeof v === "object" ? "object of this kind" : typeof v} to YAML`,
  );
}

function keyText(k: string): string {
  // PyYAML and the yaml package take no implicit key longer than 1024 characters.
  if (k.length > 1000) throw new TypeError("office-doc writes no YAML key longer than 1000 characters");
  return stringScalar(k);
}

function definedKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj).filter((k) => obj[k] !== undefined);
}

/** `prefix` (`key:` or `- key:` at its indentation) and the value; nested lines indented by two. */
function emitValue(out: string[], pad: string, prefix: string, v: unknown): void {
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`${prefix} []`);
      return;
    }
    out.push(prefix);
    for (const item of v) emitItem(out, `${pad}  `, item);
    return;
  }
  if (isMap(v) && !(v instanceof Date)) {
    const keys = definedKeys(v);
    if (keys.length === 0) {
      out.push(`${prefix} {}`);
      return;
    }
    out.push(prefix);
    for (const k of keys) emitValue(out, `${pad}  `, `${pad}  ${keyText(k)}:`, v[k]);
    return;
  }
  out.push(`${prefix} ${scalar(v)}`);
}

/** A sequence item at `pad`; a map or sequence in it starts on the dash's line (`- key: …`, `- - …`). */
function emitItem(out: string[], pad: string, item: unknown): void {
  const inner = `${pad}  `;
  if (isMap(item) && !(item instanceof Date)) {
    const keys = definedKeys(item);
    if (keys.length === 0) {
      out.push(`${pad}- {}`);
      return;
    }
    keys.forEach((k, i) => {
      emitValue(out, inner, `${i === 0 ? `${pad}- ` : inner}${keyText(k)}:`, item[k]);
    });
    return;
  }
  if (Array.isArray(item) && item.length > 0) {
    const first = out.length;
    for (const x of item) emitItem(out, inner, x);
    out[first] = `${pad}- ${(out[first] as string).slice(inner.length)}`;
    return;
  }
  out.push(Array.isArray(item) ? `${pad}- []` : `${pad}- ${scalar(item)}`);
}

/**
 * The YAML text of a map (a record, a configuration file): block style, indented by two, keys in
 * their order, `undefined` values left out (in a sequence: null). Throws a TypeError for what no
 * record holds (functions, symbols, bigints, dates as objects, keys over 1000 characters).
 */
export function emitYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  for (const k of definedKeys(value)) emitValue(out, "", `${keyText(k)}:`, value[k]);
  return out.length ? `${out.join("\n")}\n` : "{}\n";
}
