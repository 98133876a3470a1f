import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import {
  addSecondUnit,
  CLERK,
  cleanupTempDirs,
  commitByHand,
  commitCount,
  DIRECTOR,
  gitLog,
  json,
  LEADER,
  LEADER2,
  type Registry,
  repoState,
  SECRETARY,
  STAFF,
  templateRegistry,
  UNIT2,
  UNIT2_STAFF,
} from "../helpers.js";

/**
 * Monthly indicator reports (seed §5, issue 14) end to end, in-process: the set in office.yaml, submit
 * and its checks, the upsert (same id, old and new values), the leader in charge, re-reporting at the
 * analysis meeting with a reason, approval, reopening by a leader, `indicator open` twice, the
 * overdue list, and summaries and trends against totals computed by hand.
 */

const at = (day: string, hm = "10:00") => `${day}T${hm}:00+08:00`;
const THIRD = "economy";

interface Rec {
  id: string;
  title: string;
  step: string | null;
  status: string;
  holders: string[];
  due: string | null;
  fields: Record<string, unknown>;
  history: {
    action: string;
    step?: string;
    reason?: string;
    changes?: Record<string, unknown>;
    previous?: Record<string, unknown>;
  }[];
}

let reg: Registry;

/** The office: three units, each with its leader in charge, and three indicators. */
beforeAll(() => {
  reg = templateRegistry().template;
  addSecondUnit(reg);
  expect(reg.run(["unit", "add", THIRD, "--name", "经济发展办", "--code", "JJB"]).code).toBe(0);
  const doc = parseDocument(reg.read("office.yaml"));
  const units = doc.get("units") as { items: { set(k: string, v: string): void; get(k: string): unknown }[] };
  const leaders: Record<string, string> = { urban: LEADER, [UNIT2]: LEADER2, [THIRD]: LEADER };
  for (const u of units.items) u.set("leader", leaders[String(u.get("id"))] as string);
  doc.set(
    "indicators",
    doc.createNode([
      {
        id: "output",
        label: { en: "Output", "zh-CN": "总产值" },
        measure: "万元",
        total: "sum",
        decimals: 2,
      },
      {
        id: "rate",
        label: { en: "Growth", "zh-CN": "增速" },
        measure: "%",
        total: "average",
        decimals: 1,
      },
      {
        id: "firms",
        label: { en: "New firms", "zh-CN": "新增市场主体" },
        measure: "个",
        decimals: 0,
        units: [UNIT2, THIRD],
      },
    ]),
  );
  commitByHand(reg, { "office.yaml": doc.toString() });
  expect(reg.run(["check"]).code).toBe(0);
}, 60_000);
afterAll(cleanupTempDirs);

const submit = (unit: string, month: string, values: string[], extra: string[] = []) => [
  "indicator",
  "submit",
  "--unit",
  unit,
  "--month",
  month,
  ...values.flatMap((v) => ["--value", v]),
  ...extra,
  "--json",
];

function ok(args: string[], opts: { user?: string; now?: string } = {}) {
  const r = reg.run(args, opts);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
}

describe("init and the shipped workflows", () => {
  it("a new registry has every shipped workflow, the indicator kind among them", () => {
    const shipped = readFileSync(join(__dirname, "../../templates/workflows/indicator.yaml"), "utf8");
    expect(reg.read("workflows/indicator.yaml")).toBe(shipped);
    expect(reg.read("office.yaml")).toContain("indicators:");
  });
});

describe("indicator submit: checks, the upsert, the leader in charge, re-reporting, approval, reopening", () => {
  const NOW = at("2026-04-10");

  it("refuses a bad name, number, unit or decimals with exit 2 naming it, and writes nothing", () => {
    const before = repoState(reg.dir);
    const cases: [string[], string, string][] = [
      [submit("urban", "2026-04", ["outptu=1"]), "outptu=1", "output, rate"],
      [submit("urban", "2026-04", ["output=1.5x"]), "--value", "output=1.5x"],
      [submit("urban", "2026-04", ["firms=3"]), "firms=3", "output, rate"],
      [submit("urban", "2026-04", ["output=1.234"]), "output=1.234", "2"],
      [submit("nowhere", "2026-04", ["output=1"]), "unit", "nowhere"],
      [submit("urban", "2026-13", ["output=1"]), "--month", "2026-13"],
      [submit("urban", "2026-05", ["output=1"]), "2026-05", "2026-04"],
      [["indicator", "submit", "--unit", "urban", "--month", "2026-04"], "--value", "--value"],
    ];
    for (const [args, a, b] of cases) {
      const r = reg.run([...args, "--no-input"], { now: NOW });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(a);
      expect(r.stderr).toContain(b);
    }
    expect(repoState(reg.dir)).toEqual(before);
  });

  let id = "";
  it("creates the month's report, titled by the workflow's template, held by the unit's leader, due the 24th (the 25th is a Saturday)", () => {
    const r = json<Rec>(ok(submit("urban", "2026-04", ["output=12.5", "rate=3"]), { user: STAFF, now: NOW }));
    id = r.id;
    expect(r).toMatchObject({
      id: "IND-2026-0001",
      title: "2026-04 城市管理科 主要经济指标",
      step: "leader-sign",
      holders: [LEADER],
      due: "2026-04-24",
      fields: { unit: "urban", month: "2026-04", figures: { output: "12.5", rate: "3" } },
    });
    expect(reg.read(`records/indicator/2026/00/${id}.yaml`)).toContain('output: "12.5"');
  });

  it("a second submit for the same unit and month revises that record: same id, old and new values, other figures kept", () => {
    const r = json<Rec>(
      ok(submit("urban", "2026-04", ["output=13.00"]), { user: STAFF, now: at("2026-04-13") }),
    );
    expect(r.id).toBe(id);
    expect(r.fields.figures).toEqual({ output: "13.00", rate: "3" });
    expect(r.history.at(-1)).toMatchObject({
      action: "revise",
      step: "leader-sign",
      previous: { figures: { output: "12.5", rate: "3" } },
      changes: { figures: { output: "13.00", rate: "3" } },
    });
    const same = reg.run(submit("urban", "2026-04", ["output=13.00"]), { now: at("2026-04-13") });
    expect(same.code).toBe(1);
  });

  it("only the unit's leader in charge signs (another leader is refused); then the analysis meeting, due Monday 04-27 (the 26th is a Sunday)", () => {
    const other = reg.run(["leader-sign", id, "--as", LEADER2], { now: at("2026-04-14") });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("周强");
    const r = json<Rec>(
      ok(["leader-sign", id, "--as", LEADER, "--opinion", "同意上报", "--json"], { now: at("2026-04-14") }),
    );
    expect(r).toMatchObject({ step: "analyse", holders: [DIRECTOR], due: "2026-04-27" });
  });

  it("at the analysis meeting a changed figure is a re-report and needs --reason (exit 2 without, nothing written)", () => {
    const before = repoState(reg.dir);
    const bare = reg.run(submit("urban", "2026-04", ["output=14.20"]), { now: at("2026-04-27") });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--reason");
    expect(repoState(reg.dir)).toEqual(before);
    const r = json<Rec>(
      ok(submit("urban", "2026-04", ["output=14.20"], ["--reason", "分析会核实：补计续建项目"]), {
        now: at("2026-04-27", "10:30"),
      }),
    );
    expect(r).toMatchObject({ id, step: "analyse" });
    expect(r.history.at(-1)).toMatchObject({
      action: "revise",
      step: "analyse",
      reason: "分析会核实：补计续建项目",
      previous: { figures: { output: "13.00" } },
      changes: { figures: { output: "14.20" } },
    });
  });

  it("show and log tell the revisions and the re-report: old value, new value, reason", () => {
    const show = ok(["--lang", "zh-CN", "show", id]).stdout;
    expect(show).toContain("重报");
    expect(show).toContain("分析会核实：补计续建项目");
    expect(show).toContain("output 13.00 → 14.20");
    expect(show).toContain("output 12.5 → 13.00");
    const log = json<{ action: string; opinion: string }[]>(ok(["log", id, "--json"]));
    expect(log.map((e) => e.action)).toEqual(["submit", "revise", "sign", "revise"]);
    expect(log[3]?.opinion).toContain("output 13.00 → 14.20");
    const table = ok(["--lang", "zh-CN", "log", id]).stdout;
    expect(table).toContain("重报");
    expect(gitLog(reg.dir)[0]?.trailers["Office-Doc-Action"]).toBe("revise");
  });

  it("approved by the party secretary it is closed; a submit is refused (exit 1); only a leader reopens it", () => {
    ok(["analyse", id, "--as", DIRECTOR], { now: at("2026-04-27", "11:00") });
    const closed = json<Rec>(ok(["approve", id, "--as", SECRETARY, "--json"], { now: at("2026-04-28") }));
    expect(closed.status).toBe("closed");
    const before = repoState(reg.dir);
    const again = reg.run(submit("urban", "2026-04", ["output=15"]), { now: at("2026-04-29") });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(id);
    const clerk = reg.run(["reopen", id, "--reason", "数据有误"], { user: CLERK, now: at("2026-04-29") });
    expect(clerk.code).toBe(1);
    expect(clerk.stderr).toContain("leader");
    expect(repoState(reg.dir)).toEqual(before);
    const reopened = json<Rec>(
      ok(["reopen", id, "--as", LEADER, "--reason", "统计口径调整", "--json"], { now: at("2026-04-29") }),
    );
    expect(reopened).toMatchObject({ status: "open", step: "leader-sign", holders: [LEADER] });
    const revised = json<Rec>(
      ok(submit("urban", "2026-04", ["output=15"]), { now: at("2026-04-29", "11:00") }),
    );
    expect(revised).toMatchObject({ id, fields: { figures: { output: "15", rate: "3" } } });
  });
});

describe("indicator open: the month's expected reports, once", () => {
  const MAY1 = at("2026-05-01", "07:00");

  it("opens one report per reporting unit in one commit, held by each unit's leader, due 05-25, figures empty", () => {
    const n = commitCount(reg.dir);
    const made = json<{ id: string; unit: string; holders: string[]; due: string }[]>(
      ok(["indicator", "open", "--month", "2026-05", "--json"], { now: MAY1 }),
    );
    expect(made.map((m) => [m.unit, m.holders, m.due])).toEqual([
      ["urban", [LEADER], "2026-05-25"],
      [UNIT2, [LEADER2], "2026-05-25"],
      [THIRD, [LEADER], "2026-05-25"],
    ]);
    expect(commitCount(reg.dir)).toBe(n + 1);
    expect(gitLog(reg.dir)[0]?.trailers["Office-Doc-Action"]).toBe("open");
    const rec = json<Rec>(ok(["show", made[0]?.id as string, "--json"]));
    expect(rec.fields.figures).toEqual({});
    expect(rec.title).toBe("2026-05 城市管理科 主要经济指标");
    expect(reg.run(["check"]).code).toBe(0);
  });

  it("a second run creates nothing; a unit that has submitted is not opened again", () => {
    const n = commitCount(reg.dir);
    const r = ok(["indicator", "open", "--month", "2026-05"], { now: MAY1 });
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("2026-05");
    expect(commitCount(reg.dir)).toBe(n);
    // April: urban's report exists (approved, reopened); the other two are opened.
    const april = json<{ unit: string }[]>(
      ok(["indicator", "open", "--month", "2026-04", "--json"], { now: MAY1 }),
    );
    expect(april.map((m) => m.unit)).toEqual([UNIT2, THIRD]);
  });

  it("the leader cannot sign an empty report; submitting fills it (same id, `submit` in its history)", () => {
    const list = json<{ id: string; title: string }[]>(
      ok(["list", "--kind", "indicator", "--json"], { now: MAY1 }),
    );
    const social = list.find((x) => x.title === "2026-05 社会事务科 主要经济指标")?.id as string;
    const empty = reg.run(["leader-sign", social, "--as", LEADER2], { now: at("2026-05-06") });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("figures");
    const r = json<Rec>(
      ok(submit(UNIT2, "2026-05", ["output=1", "firms=2"]), { user: UNIT2_STAFF, now: at("2026-05-06") }),
    );
    expect(r.id).toBe(social);
    expect(r.history.map((e) => e.action)).toEqual(["open", "submit"]);
  });

  it("reports still expected after the 25th are in the overdue list, under the leader in charge", () => {
    const rows = json<{ id: string; title: string; holders: string[]; days_overdue: number }[]>(
      ok(["overdue", "--kind", "indicator", "--json"], { now: at("2026-05-26", "09:00") }),
    );
    const may = rows.filter((x) => x.title.startsWith("2026-05"));
    expect(may.map((x) => x.holders)).toEqual([[LEADER], [LEADER2], [LEADER]]);
    expect(may.every((x) => x.days_overdue === 1)).toBe(true);
    expect(
      ok(["--lang", "zh-CN", "overdue", "--kind", "indicator"], { now: at("2026-05-26") }).stdout,
    ).toContain("周强");
  });
});

describe("indicator summary and trend, against totals computed by hand", () => {
  /**
   * 2026-03: urban output 0.1 rate 1.0; social output 0.2 rate 1.1 firms 7; economy output 1234.56
   * rate 1.1 firms 5. 2026-02: urban output 1.00 rate 2.0; social output 2.00 rate 2.0 firms 4;
   * economy output 1000 rate 2.1 firms 6. 2025-03: urban output 500 rate -0.1; social output 0.05.
   */
  beforeAll(() => {
    const put = (unit: string, month: string, values: string[], now: string) =>
      ok(submit(unit, month, values), { now });
    put("urban", "2025-03", ["output=500", "rate=-0.1"], at("2025-03-20"));
    put(UNIT2, "2025-03", ["output=0.05"], at("2025-03-20"));
    put("urban", "2026-02", ["output=1.00", "rate=2.0"], at("2026-02-13"));
    put(UNIT2, "2026-02", ["output=2.00", "rate=2.0", "firms=4"], at("2026-02-13"));
    put(THIRD, "2026-02", ["output=1000", "rate=2.1", "firms=6"], at("2026-02-13"));
    put("urban", "2026-03", ["output=0.1", "rate=1.0"], at("2026-03-20"));
    put(UNIT2, "2026-03", ["output=0.2", "rate=1.1", "firms=7"], at("2026-03-20"));
  }, 60_000);

  it("--json is exactly CLI.md's shape, every number exact: 0.1 + 0.2 is 0.30; averages rounded half away from zero", () => {
    const r = ok(["indicator", "summary", "--month", "2026-03", "--json"], { now: at("2026-04-01") });
    // The numbers as written, digit for digit.
    expect(r.stdout).toContain('"output": 0.30');
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s).slice(0, 6)).toEqual([
      "month",
      "indicators",
      "rows",
      "totals",
      "missing",
      "definitions",
    ]);
    expect(s.month).toBe("2026-03");
    expect(s.indicators).toEqual(["output", "rate", "firms"]);
    expect(s.rows).toEqual([
      { unit: "urban", values: { output: 0.1, rate: 1 }, status: "leader-sign", id: expect.any(String) },
      {
        unit: UNIT2,
        values: { output: 0.2, rate: 1.1, firms: 7 },
        status: "leader-sign",
        id: expect.any(String),
      },
    ]);
    // output: 0.10 + 0.20 = 0.30; rate: (1.0 + 1.1) / 2 = 1.05 -> 1.1; firms: 7.
    expect(s.totals).toEqual({ output: 0.3, rate: 1.1, firms: 7 });
    expect(s.missing).toEqual([THIRD]);
    // Month on month (2026-02: output 1003.00, rate (2.0 + 2.0 + 2.1) / 3 = 2.0333 -> 2.0, firms 10).
    expect(r.stdout).toMatch(
      /"month_on_month": \{\n\s+"month": "2026-02",\n\s+"totals": \{\n\s+"output": 1003.00,\n\s+"rate": 2.0,\n\s+"firms": 10/,
    );
    expect(s.month_on_month.change).toEqual({ output: -1002.7, rate: -0.9, firms: -3 });
    // (0.30 - 1003.00) / 1003.00 = -99.970…% -> -100.0; (1.1 - 2.0) / 2.0 = -45.0%; (7 - 10) / 10 = -30.0%.
    expect(s.month_on_month.change_pct).toEqual({ output: -100, rate: -45, firms: -30 });
    expect(r.stdout).toContain('"output": -100.0');
    // Year on year (2025-03: output 500.05, rate -0.1; no firms).
    expect(s.year_on_year.totals).toEqual({ output: 500.05, rate: -0.1 });
    expect(s.year_on_year.change).toEqual({ output: -499.75, rate: 1.2 });
    // (0.30 - 500.05) / 500.05 = -99.94% -> -99.9; (1.1 - -0.1) / |-0.1| = 1200.0%.
    expect(s.year_on_year.change_pct).toEqual({ output: -99.9, rate: 1200 });
  });

  it("an average whose digit to round is 5 rounds away from zero, negative figures too", () => {
    ok(submit(THIRD, "2025-03", ["output=0.01", "rate=-0.2"]), { now: at("2025-03-21") });
    const s = JSON.parse(
      ok(["indicator", "summary", "--month", "2025-03", "--json"], { now: at("2026-04-01") }).stdout,
    );
    // rate: (-0.1 + -0.2) / 2 = -0.15 -> -0.2; output 500 + 0.05 + 0.01 = 500.06.
    expect(s.totals).toEqual({ output: 500.06, rate: -0.2 });
    expect(s.month_on_month).toBeNull();
    expect(s.year_on_year).toBeNull();
  });

  it("the table, CSV, Markdown and the workbook carry the same figures, totals, changes and steps", () => {
    const now = at("2026-04-01");
    const table = ok(["--lang", "zh-CN", "indicator", "summary", "--month", "2026-03"], { now });
    expect(table.stdout).toContain("2026-03 主要经济指标汇总");
    expect(table.stdout).toMatch(/全街合计 +│ +0\.30 │ +1\.1 │ +7 │/);
    expect(table.stdout).toContain("环比增减 %");
    expect(table.stdout).toContain("-45.0%");
    expect(table.stdout).toContain("未报");
    expect(table.stderr).toContain("经济发展办");
    const csv = ok(["indicator", "summary", "--month", "2026-03", "--format", "csv"], { now }).stdout;
    expect(csv).toContain("Office total,0.30,1.1,7,");
    expect(csv).toContain("Change from the month before,-1002.70,-0.9,-3,");
    const md = ok(["indicator", "summary", "--month", "2026-03", "--format", "markdown"], { now }).stdout;
    expect(md).toContain("| Office total | 0.30 | 1.1 | 7 |");
    const out = join(reg.sandbox, "summary.xlsx");
    ok(["indicator", "summary", "--month", "2026-03", "--format", "xlsx", "--out", out], { now });
    expect(readFileSync(out).subarray(0, 2).toString()).toBe("PK");
  });

  it("trend: a unit's series and the office's, with the change from the month before, in JSON and CSV", () => {
    const now = at("2026-04-01");
    const unit = JSON.parse(
      ok(
        [
          "indicator",
          "trend",
          "--name",
          "output",
          "--unit",
          "urban",
          "--from",
          "2026-01",
          "--to",
          "2026-03",
          "--json",
        ],
        {
          now,
        },
      ).stdout,
    );
    expect(unit).toMatchObject({ indicator: "output", unit: "urban", from: "2026-01", to: "2026-03" });
    expect(unit.series).toEqual([
      { month: "2026-01", value: null, change: null, change_pct: null },
      { month: "2026-02", value: 1, change: null, change_pct: null, status: "leader-sign" },
      { month: "2026-03", value: 0.1, change: -0.9, change_pct: -90, status: "leader-sign" },
    ]);
    const office = ok(
      ["indicator", "trend", "--name", "rate", "--from", "2026-02", "--to", "2026-03", "--json"],
      {
        now,
      },
    ).stdout;
    expect(office).toContain('"value": 2.0');
    expect(JSON.parse(office).series.map((p: { value: number }) => p.value)).toEqual([2, 1.1]);
    const csv = ok(
      ["indicator", "trend", "--name", "output", "--from", "2026-02", "--to", "2026-03", "--format", "csv"],
      {
        now,
      },
    ).stdout;
    expect(csv).toContain("2026-02,1003.00,,");
    expect(csv).toContain("2026-03,0.30,-1002.70,-100.0%");
  });

  it("trend refuses an unknown indicator, a unit that does not report it and an empty range (exit 2)", () => {
    const now = at("2026-04-01");
    for (const [args, text] of [
      [["--name", "gdp"], "gdp"],
      [["--name", "firms", "--unit", "urban"], "urban"],
      [["--name", "output", "--from", "2026-03", "--to", "2026-01"], "2026-03"],
    ] as const) {
      const r = reg.run(["indicator", "trend", ...args], { now });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(text);
    }
  });
});
