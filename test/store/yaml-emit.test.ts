import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { emitSimpleYaml } from "../../src/store/yaml-emit.js";
import { toYaml, YAML_OPTIONS } from "../../src/store/yaml-io.js";
import { cleanupTempDirs, demoRecordFiles } from "../helpers.js";

/**
 * The direct emitter must write exactly what the `yaml` package writes, or step aside (undefined).
 * Compared on every record of the demo registry and on values chosen to sit at the edges of
 * plain scalars.
 */

const lib = (v: unknown) => stringify(v, YAML_OPTIONS);

let files: string[] = [];

beforeAll(() => {
  files = demoRecordFiles();
}, 60_000);

afterAll(cleanupTempDirs);

describe("emitSimpleYaml", () => {
  it("writes every record of the demo registry byte for byte as the yaml package does", async () => {
    const { parse } = await import("yaml");
    expect(files.length).toBeGreaterThanOrEqual(5);
    let direct = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const value = parse(text);
      const ours = emitSimpleYaml(value);
      if (ours !== undefined) {
        direct++;
        expect(ours, f).toBe(text);
      }
      expect(toYaml(value), f).toBe(lib(value));
    }
    // Most records take the direct path: the comparison above is not vacuous.
    expect(direct).toBeGreaterThanOrEqual(files.length / 2);
  });

  const edge: [string, unknown][] = [
    ["plain Chinese", "关于做好春节期间值班工作的通知"],
    ["document number", "区民发〔2026〕12号"],
    ["time with offset", "2026-02-13T09:00:00+08:00"],
    ["date", "2026-02-13"],
    ["colon inside", "a:b"],
    ["colon space", "会议：时间 10: 00"],
    ["trailing colon", "备注:"],
    ["hash after space", "见 #3"],
    ["hash inside", "第#3号"],
    ["leading dash", "- 列表"],
    ["leading bracket", "[急]"],
    ["leading quote", "'引号'"],
    ["leading space", " 空格"],
    ["trailing space", "空格 "],
    ["newline", "第一行\n第二行"],
    ["tab", "a\tb"],
    ["number-like", "0042"],
    ["phone", "13800138000"],
    ["float-like", "1.5"],
    ["bool-like", "true"],
    ["null-like", "null"],
    ["tilde", "~"],
    ["empty", ""],
    ["ideographic space lead", "\u3000缩进"],
    ["line separator", "a\u2028b"],
    ["bom", "\ufeffx"],
    ["emoji", "📞热线"],
    ["percent lead", "%50"],
    ["at lead", "@张三"],
    ["integer", 42],
    ["negative", -7],
    ["float", 1.5],
    ["zero", 0],
    ["true", true],
    ["null", null],
    ["empty list", []],
    ["empty map", {}],
    ["list of strings", ["urban", "safety"]],
    ["list of maps", [{ action: "sign", at: "2026-02-13T09:00:00+08:00", opinion: "同意" }, { a: 1 }]],
    ["nested map", { fields: { from: "区民政局", pages: 3, extra: { x: [] } } }],
    ["list in list item", [{ to: ["urban", "safety"], by: [] }]],
    ["odd key", { "two words": 1 }],
    ["numeric key", { "12": 1 }],
  ];

  it.each(edge)("%s: the same text as the yaml package, or none", (_name, v) => {
    const value = { id: "IN-2026-0001", value: v, after: "x" };
    const ours = emitSimpleYaml(value);
    if (ours !== undefined) expect(ours).toBe(lib(value));
    expect(toYaml(value)).toBe(lib(value));
  });

  it("takes the direct path for plain values (the edge table is not all fallbacks)", () => {
    for (const v of [
      "关于做好春节期间值班工作的通知",
      "区民发〔2026〕12号",
      42,
      null,
      ["a"],
      { a: { b: 1 } },
    ])
      expect(emitSimpleYaml({ value: v })).toBeDefined();
    for (const v of ["0042", "a: b", "x\ny", "", 1.5, " lead"])
      expect(emitSimpleYaml({ value: v })).toBeUndefined();
  });
});
