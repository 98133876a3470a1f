import { isMap } from "../core/raw.js";

/**
 * The YAML of a record as `yaml.stringify` writes it with the options of toYaml, emitted directly for
 * the common case: maps with plain keys, sequences, and scalars that stay plain. Loading and running
 * the `yaml` package costs ~15 ms of a write; this ~0.1 ms. Anything else (a string that would be
 * quoted or written as a block, an odd key or number) returns undefined and the caller asks `yaml`,
 * so the text is always the library's. Tests compare both on every kind of record.
 */

const CORE_NON_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
/**
 * A plain scalar may not start with an indicator or white space, hold ": " or " #", end with ":" or
 * white space, or hold line breaks, tabs, control characters, U+2028/2029, U+FEFF or lone surrogates.
 * The reader (yaml-read.ts) reads plain only what this lets be written plain.
 */
export const NOT_PLAIN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  /^(?:$|[-?:,[\]{}#&*!|>'"%@`\s])|\s$|: |:$| #|[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAYBE_NON_STRING = /^[-+.0-9~nNtTfF]/;
/** Not a number in YAML 1.2, but one to js-yaml, which reads the records: left to toYaml's quoting. */
const BINARY = /^[-+]?0b[01]+$/;
/** The keys written and read without quotes. */
export const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

class NotSimple extends Error {}

function scalar(v: unknown): string {
  if (typeof v === "string") {
    if (NOT_PLAIN.test(v) || (MAYBE_NON_STRING.test(v) && (CORE_NON_STRING.test(v) || BINARY.test(v))))
      throw new NotSimple();
    return v;
  }
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number" && Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
  throw new NotSimple();
}

function definedKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
  for (const k of keys) if (!PLAIN_KEY.test(k) || CORE_NON_STRING.test(k)) throw new NotSimple();
  return keys;
}

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
  if (isMap(v)) {
    const keys = definedKeys(v);
    if (keys.length === 0) {
      out.push(`${prefix} {}`);
      return;
    }
    out.push(prefix);
    for (const k of keys) emitValue(out, `${pad}  `, `${pad}  ${k}:`, v[k]);
    return;
  }
  if (v === undefined) throw new NotSimple();
  out.push(`${prefix} ${scalar(v)}`);
}

function emitItem(out: string[], pad: string, item: unknown): void {
  if (isMap(item)) {
    const keys = definedKeys(item);
    if (keys.length === 0) {
      out.push(`${pad}- {}`);
      return;
    }
    const inner = `${pad}  `;
    keys.forEach((k, i) => {
      emitValue(out, inner, `${i === 0 ? `${pad}- ` : inner}${k}:`, item[k]);
    });
    return;
  }
  if (Array.isArray(item) || item === undefined) throw new NotSimple();
  out.push(`${pad}- ${scalar(item)}`);
}

/** The YAML text of a map, or undefined when it needs more than this emitter knows. */
export function emitSimpleYaml(value: unknown): string | undefined {
  if (!isMap(value)) return undefined;
  const out: string[] = [];
  try {
    const keys = definedKeys(value);
    if (keys.length === 0) return undefined;
    for (const k of keys) emitValue(out, "", `${k}:`, value[k]);
  } catch (e) {
    if (e instanceof NotSimple) return undefined;
    throw e;
  }
  return `${out.join("\n")}\n`;
}
