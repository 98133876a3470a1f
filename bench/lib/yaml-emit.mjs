// The record YAML the tool writes (yaml.stringify with lineWidth 0, indentSeq), emitted directly:
// the `yaml` package takes ~0.3 ms a record, too slow for millions of record versions. The
// generator compares this output with the `yaml` package on a sample of records (verifyEmitter).

const CORE_NON_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

// Plain scalars need no quotes unless they start with an indicator or white space, hold ": " or
// " #", end with ":" or white space, hold a line break or tab, or read as null/bool/number.
const UNSAFE = /^(?:$|[-?:,[\]{}#&*!|>'"%@`\s])|\s$|: |:$| #|[\n\t\r]/;
const MAYBE_NON_STRING = /^[-+.0-9~nNtTfF]/;
const DATEISH = /^\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?$/;

function scalar(v) {
  if (typeof v === "string") {
    if (DATEISH.test(v)) return v;
    if (UNSAFE.test(v) || (MAYBE_NON_STRING.test(v) && CORE_NON_STRING.test(v)))
      throw new Error(`generator string needs quoting, keep it plain: ${JSON.stringify(v)}`);
    return v;
  }
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return String(v);
  throw new Error(`not a scalar: ${JSON.stringify(v)}`);
}

const isMap = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

function emitValue(out, pad, prefix, v) {
  if (Array.isArray(v)) {
    if (v.length === 0) return out.push(`${prefix} []`);
    out.push(prefix);
    for (const item of v) emitItem(out, `${pad}  `, item);
    return;
  }
  if (isMap(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    if (keys.length === 0) return out.push(`${prefix} {}`);
    out.push(prefix);
    emitMap(out, `${pad}  `, v);
    return;
  }
  out.push(`${prefix} ${scalar(v)}`);
}

function emitMap(out, pad, obj) {
  for (const k of Object.keys(obj)) {
    const v = obj[k];
    if (v === undefined) continue;
    emitValue(out, pad, `${pad}${k}:`, v);
  }
}

function emitItem(out, pad, item) {
  if (isMap(item)) {
    const keys = Object.keys(item).filter((k) => item[k] !== undefined);
    if (keys.length === 0) return out.push(`${pad}- {}`);
    const inner = `${pad}  `;
    keys.forEach((k, i) => emitValue(out, inner, `${i === 0 ? `${pad}- ` : inner}${k}:`, item[k]));
    return;
  }
  if (Array.isArray(item)) throw new Error("nested sequences are not generated");
  out.push(`${pad}- ${scalar(item)}`);
}

/** YAML text of a plain object whose keys are already in the tool's order. */
export function emitYaml(obj) {
  const out = [];
  emitMap(out, "", obj);
  return `${out.join("\n")}\n`;
}

/** The lines of one item of a top-level sequence (`  - key: …`), for appending to a cached list. */
export function emitTopItem(item) {
  const out = [];
  emitItem(out, "  ", item);
  return `${out.join("\n")}\n`;
}

/** Throws when emitYaml differs from the `yaml` package with the tool's options. */
export function verifyEmitter(yamlLib, obj, ours = emitYaml(obj)) {
  const theirs = yamlLib.stringify(obj, {
    lineWidth: 0,
    minContentWidth: 0,
    indentSeq: true,
    aliasDuplicateObjects: false,
  });
  if (ours !== theirs)
    throw new Error(
      `YAML emitter differs from the yaml package for ${obj.id}:\n--- ours\n${ours}\n--- yaml\n${theirs}`,
    );
}
