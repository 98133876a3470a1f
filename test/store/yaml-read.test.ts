import { readFileSync } from "node:fs";
import jsYaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { fastLoad as fastLoadOf } from "../../src/store/lazy.js";
import { toYaml } from "../../src/store/yaml-io.js";
import { parseSimpleYaml } from "../../src/store/yaml-read.js";
import { cleanupTempDirs, demoRecordFiles } from "../helpers.js";

/**
 * The direct reader must read exactly what js-yaml reads (core schema), or step aside (undefined).
 * Compared on every record of the demo registry, on the yaml package's output for edge values,
 * and on hand-written variants.
 */

const js = (text: string) => jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });

let files: string[] = [];

beforeAll(() => {
  files = demoRecordFiles();
}, 60_000);

afterAll(cleanupTempDirs);

/** Our reading equals js-yaml's whenever we give one; returns whether we did. */
function agrees(text: string): boolean {
  const ours = parseSimpleYaml(text);
  if (ours === undefined) return false;
  expect(ours, text).toStrictEqual(js(text));
  return true;
}

describe("parseSimpleYaml", () => {
  it("reads every record of the demo registry as js-yaml does, most of them directly", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    const direct = files.filter((f) => agrees(readFileSync(f, "utf8")));
    expect(direct.length).toBeGreaterThanOrEqual(files.length / 2);
  });

  const values: unknown[] = [
    "关于做好春节期间值班工作的通知",
    "区民发〔2026〕12号",
    "2026-02-13T09:00:00+08:00",
    "2026-02-13",
    "a:b",
    "会议：时间 10: 00",
    "备注:",
    "见 #3",
    "第#3号",
    "- 列表",
    "[急]",
    "'引号'",
    " 空格",
    "0042",
    "13800138000",
    "1.5",
    "1e5",
    "12:30",
    "30y",
    "1_000",
    "0b101",
    "0o17",
    "+5",
    "true",
    "True",
    "null",
    "~",
    "",
    ".inf",
    "📞热线",
    "a\\b",
    "x=y",
    42,
    -7,
    0,
    1.5,
    true,
    false,
    null,
    [],
    {},
    ["urban", "safety"],
    [{ action: "sign", at: "2026-02-13T09:00:00+08:00", opinion: "同意" }, { a: 1 }],
    { from: "区民政局", pages: 3, extra: { x: [], y: {} } },
    [{ to: ["urban", "safety"], by: [], sub: { deep: ["x"] } }],
    [[1, 2]],
  ];

  it.each(values.map((v) => [JSON.stringify(v), v]))(
    "%s as the yaml package and toYaml write it",
    (_n, v) => {
      const value = { id: "IN-2026-0001", value: v, after: "x" };
      // The yaml package's layout is that of files written before toYaml quoted for YAML 1.1 readers.
      agrees(stringify(value, { lineWidth: 0 }));
      // What our emitter writes we read as js-yaml does, directly unless it holds a float, a nested
      // sequence or a quoted key (yaml-emit.test.ts holds the direct reading to every reader).
      const emitted = toYaml(value);
      agrees(emitted);
      expect(fastLoadOf(emitted)).toStrictEqual(value);
    },
  );

  it.each([
    ["a comment", "id: x\n# note\ntitle: y\n"],
    ["a trailing comment", "id: x # note\n"],
    ["a blank line", "id: x\n\ntitle: y\n"],
    ["CRLF", "id: x\r\ntitle: y\r\n"],
    ["a tab", "id:\tx\n"],
    ["no final newline", "id: x"],
    ["a duplicate key", "id: x\nid: y\n"],
    ["a single-quoted string", "id: 'x'\n"],
    ["a double-quoted string with an escape toYaml never writes", 'id: "\\/"\n'],
    ["a double-quoted string with a comment after it", 'id: "x" # note\n'],
    ["a double-quoted string cut short", 'id: "x\\"\n'],
    ["a double-quoted string holding a raw quote", 'id: "x"y"\n'],
    ["a double-quoted string holding a raw NEL", 'id: "x\u0085y"\n'],
    ["a short hex escape", 'id: "\\x4"\n'],
    ["a block scalar", "id: |\n  x\n"],
    ["a flow sequence", "ids: [a, b]\n"],
    ["a sequence not indented", "ids:\n- a\n- b\n"],
    ["an over-indented map", "fields:\n    from: x\n"],
    ["a document marker", "---\nid: x\n"],
    ["an anchor", "a: &x 1\nb: *x\n"],
    ["a __proto__ key", "__proto__: x\n"],
    ["a number with a leading zero", "n: 007\n"],
    ["hex", "n: 0x1F\n"],
    ["minus zero", "n: -0\n"],
    ["a top-level sequence", "- a\n"],
    ["an empty text", ""],
  ])("leaves %s to js-yaml", (_n, text) => {
    expect(parseSimpleYaml(text)).toBeUndefined();
  });

  it("every string toYaml writes reads back as that string, binary-looking ones too", () => {
    for (const v of ["0b101", "-0b1", "0o17", "0x1F", "+5", "1_000", ".5", "1e3", "30y", "12:30"]) {
      const value = { id: "IN-2026-0001", value: v, list: [v] };
      expect(js(toYaml(value)), v).toStrictEqual(value);
      expect(fastLoadOf(toYaml(value)), v).toStrictEqual(value);
    }
  });

  it("reads nested maps and sequences of maps laid out as the emitter lays them out", () => {
    const text =
      "id: IN-2026-0001\nholders:\n  - urban\n  - safety\nfields:\n  from: 区民政局\n  pages: 3\n" +
      "history:\n  - action: receive\n    at: 2026-02-13T09:00:00+08:00\n    to:\n      - urban\n" +
      "    changes:\n      step: propose\n  - action: sign\n    opinion: 同意\nempty: []\nnone: {}\nn: null\n";
    expect(agrees(text)).toBe(true);
  });
});
