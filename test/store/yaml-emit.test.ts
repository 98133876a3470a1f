import { readFileSync } from "node:fs";
import fc from "fast-check";
import jsYaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument, stringify } from "yaml";
import { fastLoad } from "../../src/store/lazy.js";
import { plainString } from "../../src/store/yaml-emit.js";
import { documentText, toYaml } from "../../src/store/yaml-io.js";
import { parseSimpleYaml } from "../../src/store/yaml-read.js";
import { cleanupTempDirs, demoRecordFiles } from "../helpers.js";
import { anyText, DANGEROUS, editedDocument, RECORD_TEXTS, recordWith } from "./yaml-cases.js";

/**
 * What toYaml writes, every reader reads back as the value written: office-doc's own reader
 * (directly, without js-yaml), the yaml package as YAML 1.2 and as YAML 1.1, js-yaml with its core
 * and its default schema. PyYAML reads the same texts in yaml-pyyaml.test.ts.
 */

const READERS: [string, (text: string) => unknown][] = [
  ["office-doc", (t) => fastLoad(t)],
  ["yaml 1.2", (t) => parse(t)],
  ["yaml 1.1", (t) => parse(t, { version: "1.1" })],
  ["js-yaml core", (t) => jsYaml.load(t, { schema: jsYaml.CORE_SCHEMA })],
  ["js-yaml default", (t) => jsYaml.load(t)],
];

/**
 * What YAML 1.1 forbids in a file or reads as a line break (PyYAML refuses or folds it): never in a
 * text office-doc writes, whatever the strings (line feeds apart, which end lines).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
const NOT_IN_A_FILE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/u;

/** Every reader reads `text` as `value`; office-doc's reader does so without js-yaml. */
function readsBackEverywhere(value: Record<string, unknown>, text = toYaml(value), direct = true): void {
  expect(text).not.toMatch(NOT_IN_A_FILE);
  for (const [name, read] of READERS) expect(read(text), `${name} of\n${text}`).toStrictEqual(value);
  const ours = parseSimpleYaml(text);
  if (direct) expect(ours, `office-doc's direct reader of\n${text}`).toStrictEqual(value);
  else if (ours !== undefined) expect(ours).toStrictEqual(value);
}

let files: string[] = [];

beforeAll(() => {
  files = demoRecordFiles();
}, 60_000);

afterAll(cleanupTempDirs);

describe("toYaml", () => {
  it("wrote every record of the demo registry so that every reader reads it the same", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }) as Record<string, unknown>;
      expect(toYaml(value), f).toBe(text);
      readsBackEverywhere(value, text);
    }
  });

  it.each(DANGEROUS.map((s) => [JSON.stringify(s), s]))(
    "%s reads back as itself, in values and keys",
    (_n, s) => {
      readsBackEverywhere(recordWith(() => s, "note"));
      readsBackEverywhere(
        { [s]: s, list: [s, [s]], map: { [s]: [s] } },
        toYaml({ [s]: s, list: [s, [s]], map: { [s]: [s] } }),
        false,
      );
    },
  );

  it("reads back every text field of a record as typed, for any Unicode text", () => {
    fc.assert(
      fc.property(fc.array(anyText, { minLength: RECORD_TEXTS, maxLength: RECORD_TEXTS }), (texts) => {
        const record = recordWith((i) => texts[i] as string);
        // A key the emitter must quote is left to js-yaml by office-doc's reader: checked apart.
        const key = Object.keys(record.extra as object)[0] as string;
        const direct = plainString(key) && !key.includes(":") && key !== "__proto__";
        readsBackEverywhere(record, toYaml(record), direct);
      }),
      { numRuns: 500 },
    );
  });

  it("writes plain exactly what every reader reads as that string, and quotes the rest", () => {
    // Plain (no quotes) and still a string for each reader.
    for (const s of [
      "关于做好春节期间值班工作的通知",
      "区民发〔2026〕12号",
      "IN-2026-0001",
      "liu-qingzhu",
      "2026年工作要点",
      "a:b",
      "第#3号",
      "it's",
      "tRUE",
    ])
      expect(toYaml({ v: s }), s).toBe(`v: ${s}\n`);
    for (const s of ["+0x1F", "2026-02-13", "yes", "off", "y", "<<", "=", "1:20", "30y", "", " x", "a\tb"])
      expect(toYaml({ v: s }).startsWith('v: "'), s).toBe(true);
    expect(toYaml({ v: 'a\u0085b\u2028\x7f\ud800\t\n"\\' })).toBe(
      'v: "a\\x85b\\u2028\\x7f\\ud800\\t\\n\\"\\\\"\n',
    );
    expect(toYaml({ yes: 1, on: 2, n: 3, ok: 4 })).toBe('"yes": 1\n"on": 2\n"n": 3\nok: 4\n');
  });

  it("lays out maps and sequences as the yaml package does where nothing needs quoting", () => {
    const value = recordWith((i) => `文字${i}`);
    value.created = "二〇二六年三月二日";
    (value.history as Record<string, unknown>[]).forEach((e) => {
      e.at = "三月二日";
    });
    const text = toYaml(value);
    expect(text).toBe(stringify(value, { lineWidth: 0 }));
    expect(parseSimpleYaml(text)).toStrictEqual(value);
  });

  it.each([
    ["integers", [0, 42, -7, 2 ** 53 - 1, 2 ** 60, 1e21]],
    ["fractions", [1.5, -0.25, 5e-7, 1.5e300, -0]],
    ["not numbers", [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
    ["other scalars", [true, false, null]],
    ["nested sequences", [[], [[]], [["a", 1], [{ k: "v" }]], [[["deep"]]]]],
    ["empty collections", [{}, [], { a: {} }]],
  ])("%s read back as the same values", (_n, list) => {
    const value = { list, one: list[0] };
    for (const [name, read] of READERS.filter(([n]) => n !== "yaml 1.1"))
      expect(read(toYaml(value)), name).toStrictEqual(value);
    // PyYAML and the 1.1 schema read the same text: the float forms carry a dot and a signed exponent.
    expect(toYaml({ v: [1e21, 5e-7, -0] })).toBe("v:\n  - 1.0e+21\n  - 5.0e-7\n  - -0.0\n");
  });

  it("leaves out undefined values of a map, writes them as null in a sequence, and refuses the unknown", () => {
    expect(toYaml({ a: 1, b: undefined, c: [undefined] })).toBe("a: 1\nc:\n  - null\n");
    expect(() => toYaml({ d: new Date(0) })).toThrow(TypeError);
    expect(() => toYaml({ f: () => 1 })).toThrow(TypeError);
    expect(() => toYaml({ ["k".repeat(1001)]: 1 })).toThrow(TypeError);
    expect(() => toYaml(["not a map"])).toThrow(TypeError);
  });

  it("documentText writes an edited document (office.yaml) by the same rule, keeping its comments", () => {
    const { value, text } = editedDocument(DANGEROUS);
    expect(text).toContain("# 办公室配置");
    expect(text).not.toMatch(NOT_IN_A_FILE);
    for (const [name, read] of READERS.filter(([n]) => n !== "office-doc"))
      expect(read(text), name).toStrictEqual(value);
    for (const s of ["yes", "1:20", "+0x1F", "a\u2028b\u0085c\x7f"]) {
      const one = editedDocument([s]);
      expect(parse(one.text, { version: "1.1" }), s).toStrictEqual(one.value);
    }
    expect(documentText(parseDocument("a: 'it''s'\nb: \"x\"\nc: plain\n"))).toBe(
      "a: 'it''s'\nb: \"x\"\nc: plain\n",
    );
  });
});
