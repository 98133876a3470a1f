import { describe, expect, it } from "vitest";
import {
  docNumberSeries,
  fixDocNumber,
  formatDocNumber,
  numberingProblems,
  parseDocNumber,
} from "../../src/core/numbering.js";

describe("document numbers", () => {
  it.each([
    ["X街党发", 2026, 3, "X街党发〔2026〕3号"],
    ["X街办发", 2026, 12, "X街办发〔2026〕12号"],
    ["X街党政办发", 2027, 1, "X街党政办发〔2027〕1号"],
  ])("%s %i no. %i is %s", (prefix, year, n, expected) => {
    expect(formatDocNumber(prefix, year, n)).toBe(expected);
    expect(parseDocNumber(expected)).toEqual({ series: docNumberSeries(prefix, year), year, n });
  });

  it.each([
    "X街党发[2026]3号",
    "X街党发【2026】3号",
    "X街党发〔2026〕03号",
    "X街党发〔26〕3号",
    "X街党发〔2026〕第3号",
    "X街党发〔2026〕3",
  ])("rejects %s", (text) => {
    expect(parseDocNumber(text)).toBeUndefined();
  });

  it("finds gaps and duplicates per series", () => {
    const numbers = new Map([
      ["OUT-2026-0001", "X街办发〔2026〕1号"],
      ["OUT-2026-0002", "X街办发〔2026〕2号"],
      ["OUT-2026-0003", "X街办发〔2026〕2号"],
      ["OUT-2026-0004", "X街办发〔2026〕4号"],
      ["OUT-2026-0005", "X街党发〔2026〕1号"],
      ["OUT-2027-0001", "X街办发〔2027〕1号"],
    ]);
    expect(numberingProblems(numbers)).toEqual([
      { kind: "duplicate", series: "X街办发〔2026〕", n: 2, ids: ["OUT-2026-0002", "OUT-2026-0003"] },
      { kind: "gap", series: "X街办发〔2026〕", n: 3, ids: [], next: { n: 4, ids: ["OUT-2026-0004"] } },
    ]);
  });

  it("a series starting at 2 has a gap at 1", () => {
    expect(numberingProblems(new Map([["OUT-2026-0001", "X街办发〔2026〕2号"]]))).toEqual([
      { kind: "gap", series: "X街办发〔2026〕", n: 1, ids: [], next: { n: 2, ids: ["OUT-2026-0001"] } },
    ]);
  });

  it.each([
    ["X街办发[2026]3号", "X街办发〔2026〕3号"],
    ["X街办发【2026】3号", "X街办发〔2026〕3号"],
    ["X街办发（2026）3号", "X街办发〔2026〕3号"],
    ["X街办发(2026)3号", "X街办发〔2026〕3号"],
    ["X街办发［2026］3号", "X街办发〔2026〕3号"],
    ["X街办发〖2026〗3号", "X街办发〔2026〕3号"],
    ["X街办发〔2026〕03号", "X街办发〔2026〕3号"],
    ["X街办发〔2026〕第3号", "X街办发〔2026〕3号"],
    ["X街办发 [2026] 12号", "X街办发〔2026〕12号"],
    ["区应急发[2026]12号", "区应急发〔2026〕12号"],
  ])("fixDocNumber(%s) is %s", (typed, fixed) => {
    expect(fixDocNumber(typed)).toBe(fixed);
    expect(parseDocNumber(fixed)).toBeDefined();
  });

  it.each(["X街办发〔2026〕3号", "X街办发2026年3号", "3号", "X街办发[26]3号", "X街办发[2026]号", ""])(
    "fixDocNumber(%j) has no fix (already right, or not a document number)",
    (typed) => {
      expect(fixDocNumber(typed)).toBeUndefined();
    },
  );
});
