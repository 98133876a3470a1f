/**
 * `check` catches what a person can get wrong in a record file, each at its file and line: impossible
 * dates and instants, holders and routed ids that are not people or units of the office, document
 * numbers not of the form <机关代字>〔YYYY〕N号 and the gap they leave, duplicate archive numbers;
 * and warns once per year without the State Council's notice that open records are due in.
 * The records are made through the bin; check runs in-process (checkRegistry) on hand-edited files.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInstant } from "../../src/core/dates.js";
import { checkRegistry } from "../../src/store/check.js";
import { Registry } from "../../src/store/registry.js";
import type { FileProblem } from "../../src/store/yaml-io.js";
import {
  cleanupTempDirs,
  type Registry as Handle,
  receive,
  recordPath,
  templateRegistry,
  UNIT,
} from "../helpers.js";

afterAll(cleanupTempDirs);

const NOW = parseInstant("2026-02-13T09:00:00+08:00", "UTC") as number;

/** Replace `from` (which must occur once) in a record file by `to`. */
function edit(reg: Handle, rel: string, from: string | RegExp, to: string): void {
  const text = reg.read(rel);
  const next = text.replace(from, to);
  expect(next, `${rel}: ${String(from)}`).not.toBe(text);
  writeFileSync(join(reg.dir, rel), next);
}

/** The 1-based line of the first line of `rel` matching `re`. */
function lineOf(reg: Handle, rel: string, re: RegExp): number {
  const i = readFileSync(join(reg.dir, rel), "utf8")
    .split("\n")
    .findIndex((l) => re.test(l));
  expect(i, `${rel}: ${re}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

const pick = (ps: FileProblem[], code: string) =>
  ps
    .filter((p) => p.code === code)
    .map((p) => ({ file: p.file, line: p.line, params: p.params, warning: !!p.warning }));

describe("check: what a person can get wrong", () => {
  let reg: Handle;
  let problems: FileProblem[];
  const IN1 = recordPath("IN-2026-0001");
  const IN2 = recordPath("IN-2026-0002");
  const IN3 = recordPath("IN-2026-0003");
  const out = (n: number) => `records/outgoing/2026/00/OUT-2026-000${n}.yaml`;

  beforeAll(async () => {
    reg = templateRegistry().copy();
    for (const t of ["一", "二", "三"]) receive(reg, `文件${t}`);
    for (const t of ["一", "二", "三"]) {
      const r = reg.run(["draft", "--title", `发文${t}`, "--category", "office", "--unit", UNIT]);
      expect(r.code, r.stderr).toBe(0);
    }
    // impossible dates and instants
    // Dates are written quoted (YAML 1.1 readers would take them for timestamps): keep the quote.
    edit(reg, IN1, /^created: ("?)2026-02-13T09/m, "created: $12026-02-30T09");
    edit(reg, IN1, /^ {4}at: ("?)2026-02-13T09:00:00\+08:00\1$/m, "    at: $12026-02-13T25:00:00+08:00$1");
    edit(reg, IN3, /^due: .*$/m, "due: 2026-02-30");
    // holders and routed ids that are not people or units
    edit(reg, IN2, /^holders:\n {2}- .*$/m, "holders:\n  - wang-shoujei");
    edit(reg, IN2, /^routed: \[\]$/m, "routed:\n  - urbn");
    // document numbers: ours with the wrong brackets, which leaves a gap; theirs (incoming) too
    const dn = (n: number, v: string) => edit(reg, out(n), /^fields:$/m, `fields:\n  doc_number: ${v}`);
    dn(1, "街办发〔2026〕1号");
    dn(2, "街办发[2026]2号");
    dn(3, "街办发〔2026〕3号");
    edit(reg, IN3, /^fields:$/m, "fields:\n  doc_number: 区应急发[2026]12号");
    // the same archive number twice
    const archive =
      "archive:\n  number: Z109-WS·2026-D10-0001\n  retention: 10y\n  filed_at: 2026-02-13T10:00:00+08:00\nhistory:";
    edit(reg, IN2, /^history:$/m, archive);
    edit(reg, IN3, /^history:$/m, archive);
    problems = await checkRegistry(new Registry(reg.dir), NOW);
  }, 60_000);

  it("names impossible dates and instants at their lines, as errors", () => {
    expect(pick(problems, "record.bad-instant")).toEqual([
      {
        file: IN1,
        line: lineOf(reg, IN1, /^created:/),
        params: { key: "created", value: "2026-02-30T09:00:00+08:00" },
        warning: false,
      },
      {
        file: IN1,
        line: lineOf(reg, IN1, /T25:00/),
        params: { key: "at", value: "2026-02-13T25:00:00+08:00" },
        warning: false,
      },
    ]);
    expect(pick(problems, "record.bad-date")).toEqual([
      {
        file: IN3,
        line: lineOf(reg, IN3, /^due:/),
        params: { key: "due", value: "2026-02-30" },
        warning: false,
      },
    ]);
  });

  it("names holders and routed ids that are not people or units of the office", () => {
    expect(pick(problems, "record.unknown-ref")).toEqual([
      {
        file: IN2,
        line: lineOf(reg, IN2, /wang-shoujei/),
        params: { key: "holders", value: "wang-shoujei" },
        warning: false,
      },
      {
        file: IN2,
        line: lineOf(reg, IN2, /- urbn/),
        params: { key: "routed", value: "urbn" },
        warning: false,
      },
    ]);
  });

  it("names a document number of the wrong form with its right form, and the gap it leaves", () => {
    expect(pick(problems, "field.bad-doc-number-fix")).toEqual([
      {
        file: IN3,
        line: lineOf(reg, IN3, /doc_number/),
        params: { field: "doc_number", value: "区应急发[2026]12号", fixed: "区应急发〔2026〕12号" },
        // another organ's number, as typed: a warning
        warning: true,
      },
      {
        file: out(2),
        line: lineOf(reg, out(2), /doc_number/),
        params: { field: "doc_number", value: "街办发[2026]2号", fixed: "街办发〔2026〕2号" },
        // the office's own number: an error
        warning: false,
      },
    ]);
    expect(pick(problems, "check.number-gap-malformed")).toEqual([
      {
        file: out(3),
        line: lineOf(reg, out(3), /doc_number/),
        params: {
          series: "街办发〔2026〕",
          n: 2,
          next: "街办发〔2026〕3号",
          id: "OUT-2026-0002",
          bad: "街办发[2026]2号",
        },
        warning: false,
      },
    ]);
    expect(pick(problems, "check.number-gap-before")).toEqual([]);
  });

  it("names an archive number given twice, at each record", () => {
    expect(pick(problems, "check.archive-duplicate")).toEqual(
      [IN2, IN3].map((file) => ({
        file,
        line: lineOf(reg, file, /number: Z109/),
        params: { number: "Z109-WS·2026-D10-0001", ids: "IN-2026-0002, IN-2026-0003" },
        warning: false,
      })),
    );
  });

  it("a gap with no malformed number to explain it is reported at the number after it", async () => {
    edit(reg, out(2), /^ {2}doc_number: .*\n/m, "");
    const ps = await checkRegistry(new Registry(reg.dir), NOW);
    expect(pick(ps, "check.number-gap-before")).toEqual([
      {
        file: out(3),
        line: lineOf(reg, out(3), /doc_number/),
        params: { series: "街办发〔2026〕", n: 2, next: "街办发〔2026〕3号" },
        warning: false,
      },
    ]);
  });
});

describe("check: years without the State Council's notice", () => {
  it("warns once per year that open records are due in, at the first such record's due date", async () => {
    const reg = templateRegistry().copy();
    const at = "2026-12-30T09:00:00+08:00";
    for (const caller of ["张三", "李四"]) {
      const r = reg.run(
        ["call", "--caller", caller, "--phone", "13812345678", "--matter", "路灯", "--category", "ordinary"],
        { now: at },
      );
      expect(r.code, r.stderr).toBe(0);
      // the creation itself warns, naming the year
      expect(r.stderr).toContain("2027 has no State Council notice");
    }
    const ps = await checkRegistry(new Registry(reg.dir), NOW);
    const rel = "records/call/2026/00/CALL-2026-0001.yaml";
    expect(pick(ps, "check.provisional-year")).toEqual([
      {
        file: rel,
        line: lineOf(reg, rel, /^due:/),
        params: { year: 2027, n: 2, id: "CALL-2026-0001" },
        warning: true,
      },
    ]);
  }, 60_000);

  it("says nothing about years no record is due in (calendar/2027.yaml need not exist)", async () => {
    const reg = templateRegistry().copy();
    receive(reg, "关于春节期间安全生产的通知");
    const ps = await checkRegistry(new Registry(reg.dir), NOW);
    expect(ps.filter((p) => p.file.startsWith("calendar/") || p.code === "check.provisional-year")).toEqual(
      [],
    );
  }, 60_000);
});
