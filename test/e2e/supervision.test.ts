import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addSecondUnit,
  CLERK,
  cleanupTempDirs,
  commitByHand,
  json,
  LEADER,
  OFFICE,
  RESIDENT_SECRETARY,
  type Registry,
  repoState,
  SECRETARY,
  STAFF,
  templateRegistry,
  UNIT_HEAD,
  UNIT2_HEAD,
} from "../helpers.js";

/**
 * Issue 15 end to end, in-process through the built CLI: reports to superiors (SUP), requests for
 * instructions (REQ), inspections (INSP) and the supervision ledger (report supervision), with fixed
 * clocks across the 2026 holidays.
 */

afterAll(cleanupTempDirs);

interface Rec {
  id: string;
  step: string | null;
  status: string;
  holders: string[];
  due: string | null;
  deadline: string | null;
  fields: Record<string, unknown>;
  history: { action: string; step?: string; note?: string; to?: string[] }[];
}

const T = (day: string, hm = "09:00") => `${day}T${hm}:00+08:00`;
let tpl: ReturnType<typeof templateRegistry>;
beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

function runner(reg: Registry) {
  const run = (args: string[], now: string, user: string = OFFICE) => reg.run(args, { now, user });
  const ok = (args: string[], now: string, user: string = OFFICE) => {
    const r = run(args, now, user);
    expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
    return r;
  };
  const rec = (args: string[], now: string, user: string = OFFICE) =>
    json<Rec>(ok([...args, "--json"], now, user));
  return { run, ok, rec };
}

describe("superior (上级交办/报告)", () => {
  it("registers, investigates with progress notes, countersigns, signs and reports with the next upward-report number", () => {
    const reg = tpl.copy();
    const { run, ok, rec } = runner(reg);
    const now = T("2026-03-02");
    let s = rec(
      [
        "superior",
        "--title",
        "关于报送防汛准备情况的通知",
        "--from",
        "市防汛办",
        "--their-number",
        "市防办〔2026〕3号",
        "--deadline",
        "2026-03-10",
      ],
      now,
      CLERK,
    );
    expect([s.id, s.step, s.holders, s.due, s.deadline]).toEqual([
      "SUP-2026-0001",
      "instruct",
      [SECRETARY],
      "2026-03-03",
      "2026-03-10",
    ]);
    s = rec(
      ["instruct", "SUP-1", "--as", SECRETARY, "--opinion", "请周强同志牵头", "--to", `${LEADER},urban`],
      now,
      CLERK,
    );
    expect([s.step, s.holders, s.due, s.fields.unit]).toEqual([
      "investigate",
      [LEADER, "urban"],
      "2026-03-05",
      "urban",
    ]);
    ok(["note", "SUP-1", "--text", "已召开协调会"], T("2026-03-03"));
    // Each of them signs; a person not named may not.
    const before = repoState(reg.dir);
    expect(run(["investigate", "SUP-1"], T("2026-03-03"), OFFICE).code).toBe(1);
    expect(repoState(reg.dir)).toEqual(before);
    ok(["investigate", "SUP-1", "--opinion", "已核实"], T("2026-03-03"), STAFF);
    s = rec(["investigate", "SUP-1", "--opinion", "报告已成"], T("2026-03-04"), LEADER);
    expect([s.step, s.holders]).toEqual(["countersign", [STAFF, LEADER]]);
    // Countersigned by the same people: the unit head, who did not investigate, may not.
    expect(run(["countersign", "SUP-1"], T("2026-03-04"), UNIT_HEAD).code).toBe(1);
    ok(["countersign", "SUP-1"], T("2026-03-04"), STAFF);
    s = rec(["countersign", "SUP-1"], T("2026-03-04"), LEADER);
    expect([s.step, s.due]).toEqual(["secretary-sign", "2026-03-05"]);
    s = rec(["secretary-sign", "SUP-1", "--opinion", "同意上报"], T("2026-03-05"), SECRETARY);
    expect([s.step, s.due]).toEqual(["submit", "2026-03-10"]);
    s = rec(["submit", "SUP-1"], T("2026-03-06"));
    expect([s.status, s.fields.doc_number, s.fields.submitted_on]).toEqual([
      "closed",
      "街党报〔2026〕1号",
      "2026-03-06",
    ]);
    expect(s.history.find((e) => e.action === "note")).toMatchObject({
      step: "investigate",
      note: "已召开协调会",
    });
    // The next report takes the next number, gapless.
    ok(
      ["superior", "--title", "第二件", "--from", "区委办", "--deadline", "2026-04-30"],
      T("2026-03-06"),
      CLERK,
    );
    ok(["instruct", "SUP-2", "--to", LEADER], T("2026-03-06"), SECRETARY);
    ok(["investigate", "SUP-2"], T("2026-03-06"), LEADER);
    ok(["countersign", "SUP-2"], T("2026-03-06"), LEADER);
    ok(["secretary-sign", "SUP-2"], T("2026-03-06"), SECRETARY);
    expect(rec(["submit", "SUP-2"], T("2026-03-09")).fields.doc_number).toBe("街党报〔2026〕2号");
    expect(run(["check"], T("2026-03-09")).code).toBe(0);
  });

  it("a deadline right after the Spring Festival is accepted with a warning naming the lost days", () => {
    const reg = tpl.copy();
    const { run } = runner(reg);
    const r = run(
      [
        "--lang",
        "zh-CN",
        "superior",
        "--title",
        "节后报送",
        "--from",
        "区政府办",
        "--deadline",
        "2026-02-24",
        "--json",
      ],
      T("2026-02-13"),
      CLERK,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("2026-02-12");
    expect(r.stderr).toContain("已耽误 1 个工作日");
    expect(r.stderr).toContain("还有 2 个工作日");
    expect(json<Rec>(r).id).toBe("SUP-2026-0001");
    // In English, registered on the holiday itself.
    const en = run(
      ["superior", "--title", "t", "--from", "x", "--deadline", "2026-02-24"],
      T("2026-02-18"),
      CLERK,
    );
    expect(en.code).toBe(0);
    expect(en.stderr).toMatch(/2 working day\(s\) of that time are lost, 1 left/);
  });

  it("without the upward-report prefix in office.yaml, reporting is refused and nothing is written", () => {
    const reg = tpl.copy();
    const { run, ok } = runner(reg);
    commitByHand(reg, { "office.yaml": reg.read("office.yaml").replace(/\n\s*upward-report: .*\n/, "\n") });
    ok(["superior", "--title", "t", "--from", "x", "--deadline", "2026-04-30"], T("2026-03-02"), CLERK);
    ok(["instruct", "SUP-1", "--to", LEADER], T("2026-03-02"), SECRETARY);
    for (const step of ["investigate", "countersign"]) ok([step, "SUP-1"], T("2026-03-02"), LEADER);
    ok(["secretary-sign", "SUP-1"], T("2026-03-02"), SECRETARY);
    const before = repoState(reg.dir);
    const r = run(["submit", "SUP-1"], T("2026-03-03"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("upward-report");
    expect(repoState(reg.dir)).toEqual(before);
  });
});

describe("request (请示)", () => {
  it("unit head and leader in charge sign; the office proposes; the secretary instructs; the holders implement, urged by the office; the form prints", () => {
    const reg = tpl.copy();
    const { run, ok, rec } = runner(reg);
    const now = T("2026-03-02");
    let r = rec(
      ["request", "--title", "关于更换老旧路灯的请示", "--unit", "urban", "--content", "需经费3万元"],
      now,
      STAFF,
    );
    expect([r.id, r.step, r.holders]).toEqual([
      "REQ-2026-0001",
      "unit-sign",
      [UNIT_HEAD, LEADER, "zheng-hua"],
    ]);
    // A staff member of the unit may not sign for its head.
    expect(run(["unit-sign", "REQ-1"], now, STAFF).code).toBe(1);
    ok(["unit-sign", "REQ-1", "--opinion", "同意"], now, LEADER);
    r = rec(["unit-sign", "REQ-1", "--opinion", "情况属实"], now, UNIT_HEAD);
    expect(r.step).toBe("propose");
    ok(["propose", "REQ-1", "--opinion", "拟请李书记批示"], now);
    r = rec(
      ["instruct", "REQ-1", "--as", SECRETARY, "--opinion", "同意，抓紧落实", "--to", "urban"],
      T("2026-03-03"),
      CLERK,
    );
    expect([r.step, r.holders, r.due]).toEqual(["implement", ["urban"], "2026-03-05"]);
    ok(["urge", "REQ-1", "--note", "请于3月5日前落实"], T("2026-03-04"));
    const md = ok(["print", "REQ-1"], T("2026-03-04")).stdout;
    expect(md).toContain("请示批办单");
    expect(md).toContain("| 科室负责人意见 | 情况属实　赵磊　2026年3月2日 |");
    expect(md).toContain("| 分管领导意见 | 同意　周强　2026年3月2日 |");
    expect(md).toContain("| 领导批示 | 同意，抓紧落实　李建国　2026年3月3日 |");
    expect(md).toContain("| 落实单位 | 城市管理科 |");
    r = rec(["implement", "REQ-1", "--result", "已更换20盏"], T("2026-03-05"), STAFF);
    expect([r.status, r.fields.result]).toEqual(["closed", "已更换20盏"]);
    expect(r.history.find((e) => e.action === "urge")?.to).toEqual(["urban"]);
    const html = ok(["print", "REQ-1", "--html"], T("2026-03-05")).stdout;
    expect(html).toContain("<tr><th>落实情况</th><td>已更换20盏</td></tr>");
    // --result belongs to implement, not to another step.
    expect(run(["propose", "REQ-1", "--result", "x"], T("2026-03-05")).code).toBe(2);
  });
});

describe("inspection (督查)", () => {
  it("plan → approve (both) → notice (printed) → submit (each listed unit) → inspect report → audit → issue", () => {
    const reg = tpl.copy();
    addSecondUnit(reg);
    const { run, ok, rec } = runner(reg);
    const now = T("2026-03-02");
    const plan = [
      "inspect",
      "plan",
      "--title",
      "春节后安全生产督查",
      "--units",
      "urban,social",
      "--start",
      "2026-03-09",
      "--end",
      "2026-03-11",
      "--deadline",
      "2026-03-06",
      "--category",
      "superior-assignment",
      "--content",
      "节后复工安全检查落实情况",
      "--method",
      "on-site",
    ];
    expect(run([...plan.slice(0, -2), "--method", "by-phone"], now).code).toBe(2);
    let i = rec(plan, now);
    expect([i.id, i.step, i.holders]).toEqual(["INSP-2026-0001", "approve", [RESIDENT_SECRETARY, SECRETARY]]);
    ok(["approve", "INSP-1"], now, RESIDENT_SECRETARY);
    i = rec(["approve", "INSP-1"], now, SECRETARY);
    expect(i.step).toBe("notice");
    const notice = ok(["print", "INSP-1"], now).stdout;
    expect(notice).toContain("督查通知");
    expect(notice).toContain("| 督查时间 | 2026年3月9日至2026年3月11日 |");
    expect(notice).toContain("| 督查方式 | 实地督查 |");
    expect(notice).toContain("被督查单位：城市管理科、社会事务科");
    expect(notice).toContain("于2026年3月6日前报党政办");
    i = rec(["notice", "INSP-1"], T("2026-03-03"));
    expect([i.step, i.holders, i.due, i.fields.noticed_on]).toEqual([
      "submit",
      ["urban", "social"],
      "2026-03-06",
      "2026-03-03",
    ]);
    // The office may not submit for a unit; each unit's own people do.
    expect(run(["submit", "INSP-1"], T("2026-03-04")).code).toBe(1);
    ok(["submit", "INSP-1"], T("2026-03-05"), STAFF);
    i = rec(["submit", "INSP-1"], T("2026-03-06"), UNIT2_HEAD);
    expect(i.step).toBe("report");
    // `report` is a built-in command: the step is `inspect report`, and it needs the findings.
    expect(run(["inspect", "report", "INSP-1"], T("2026-03-11")).code).toBe(2);
    ok(
      ["inspect", "report", "INSP-1", "--findings", "两单位均按时报送，现场检查发现隐患3处"],
      T("2026-03-11"),
    );
    // The resident secretary audits; `issue` is the outgoing documents' step command too.
    ok(["audit", "INSP-1"], T("2026-03-12"), RESIDENT_SECRETARY);
    expect(run(["issue", "INSP-1"], T("2026-03-12"), RESIDENT_SECRETARY).code).toBe(1);
    i = rec(["issue", "INSP-1", "--opinion", "同意印发"], T("2026-03-12"), SECRETARY);
    expect(i.status).toBe("closed");
    const stats = ok(
      ["--lang", "zh-CN", "report", "stats", "--kind", "inspection", "--by", "category", "--format", "csv"],
      T("2026-03-12"),
    ).stdout;
    expect(stats).toContain("上级交办事项");
    expect(run(["check"], T("2026-03-12")).code).toBe(0);
  });
});

describe("report supervision (督办台账)", () => {
  let reg: Registry;
  const asOf = T("2026-03-04", "17:00");
  beforeAll(() => {
    reg = tpl.copy();
    const { ok } = runner(reg);
    // An incoming document undertaken by urban since Mon 03-02: due Wed 03-04 (yellow).
    ok(["receive", "--title", "关于防汛的通知", "--from", "区应急局"], T("2026-03-02"), CLERK);
    ok(["propose", "IN-1"], T("2026-03-02"));
    ok(["instruct", "IN-1", "--to", "urban"], T("2026-03-02"), SECRETARY);
    // A request instructed Thu 02-26: implementation due 2 working days later, the adjusted working
    // Saturday 02-28 (red).
    ok(["request", "--title", "关于购置器材的请示", "--unit", "urban"], T("2026-02-25"), STAFF);
    ok(["unit-sign", "REQ-1"], T("2026-02-25"), UNIT_HEAD);
    ok(["unit-sign", "REQ-1"], T("2026-02-25"), LEADER);
    ok(["propose", "REQ-1"], T("2026-02-25"));
    ok(["instruct", "REQ-1", "--to", "urban"], T("2026-02-26"), SECRETARY);
    // An important call at handling, due Fri 03-06 (2 working days after the 4th: green with N = 1).
    ok(
      ["call", "--caller", "张三", "--phone", "13812345678", "--matter", "噪音扰民", "--important"],
      T("2026-03-04"),
      CLERK,
    );
    ok(["instruct", "CALL-1", "--to", "urban"], T("2026-03-04"), SECRETARY);
    // An ordinary call: not supervised.
    ok(["call", "--caller", "李四", "--phone", "13912345678", "--matter", "咨询"], T("2026-03-04"), CLERK);
    // A superior's task, reported on time on 03-04: it left the ledger, on time.
    ok(
      ["superior", "--title", "报送情况", "--from", "区委办", "--deadline", "2026-03-13"],
      T("2026-03-02"),
      CLERK,
    );
    ok(["instruct", "SUP-1", "--to", "urban"], T("2026-03-02"), SECRETARY);
    ok(["investigate", "SUP-1"], T("2026-03-03"), UNIT_HEAD);
    ok(["countersign", "SUP-1"], T("2026-03-03"), UNIT_HEAD);
    ok(["secretary-sign", "SUP-1"], T("2026-03-04"), SECRETARY);
    ok(["submit", "SUP-1"], T("2026-03-04"));
  }, 60_000);

  interface Item {
    id: string;
    units: string[];
    due: string;
    days_left: number;
    working_days_left: number;
    light: string;
  }
  const ledger = (args: string[] = []) =>
    json<Item[]>(runner(reg).ok(["report", "supervision", "--format", "json", ...args], asOf)).map((x) => [
      x.id,
      x.units,
      x.due,
      x.days_left,
      x.working_days_left,
      x.light,
    ]);

  it("lists every open supervised item across kinds, earliest due first, with lights", () => {
    expect(ledger()).toEqual([
      ["REQ-2026-0001", ["urban"], "2026-02-28", -4, -3, "red"],
      ["IN-2026-0001", ["urban"], "2026-03-04", 0, 0, "yellow"],
      ["CALL-2026-0001", ["urban"], "2026-03-06", 2, 2, "yellow"],
    ]);
    // --within (else office.yaml's supervision.yellow_within, 2), --kind.
    expect(ledger(["--within", "1"]).map((x) => x.at(-1))).toEqual(["red", "yellow", "green"]);
    expect(ledger(["--kind", "call"]).map((x) => x[0])).toEqual(["CALL-2026-0001"]);
  });

  it("takes the yellow horizon from office.yaml", () => {
    const copy = tpl.copy();
    const { ok } = runner(copy);
    ok(["receive", "--title", "t", "--from", "x"], T("2026-03-02"), CLERK);
    ok(["propose", "IN-1"], T("2026-03-02"));
    ok(["instruct", "IN-1", "--to", "urban"], T("2026-03-02"), SECRETARY);
    const light = () =>
      json<Item[]>(ok(["report", "supervision", "--format", "json"], T("2026-03-02", "17:00")))[0]?.light;
    // Due Wed 03-04: 2 working days ahead of Mon 03-02.
    expect(light()).toBe("yellow");
    commitByHand(copy, {
      "office.yaml": copy.read("office.yaml").replace("yellow_within: 2", "yellow_within: 1"),
    });
    expect(light()).toBe("green");
  });

  it("speaks words in every format; a table is not coloured outside a terminal", () => {
    const { ok, run } = runner(reg);
    const zh = ok(["--lang", "zh-CN", "report", "supervision", "--format", "csv"], asOf).stdout;
    expect(zh.startsWith("\ufeff督办灯,编号")).toBe(true);
    expect(zh).toContain("红灯,REQ-2026-0001");
    expect(zh).toContain("黄灯,IN-2026-0001");
    const md = ok(["report", "supervision", "--format", "markdown"], asOf).stdout;
    expect(md).toContain("| red | REQ-2026-0001 |");
    const table = ok(["report", "supervision"], asOf).stdout;
    expect(table).toContain("supervision ledger as of 2026-03-04: 3 item(s), 1 red, 2 yellow, 0 green");
    expect(table).not.toContain("\x1b[");
    const out = join(reg.sandbox, "ledger.xlsx");
    ok(["report", "supervision", "--format", "xlsx", "--out", out], asOf);
    expect(existsSync(out)).toBe(true);
    // Bad input: exit 2, naming the option.
    for (const args of [
      ["--within", "-1"],
      ["--as-of", "2026-02-30"],
      ["--unit", "nowhere"],
      ["--from", "03-01"],
    ]) {
      const r = run(["report", "supervision", ...args], asOf);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(args[0] as string);
    }
  });

  it("--rate: the on-time rate per unit over a period, with what is open and overdue now", () => {
    const { ok } = runner(reg);
    const rates = json<
      {
        unit: string;
        finished: number;
        on_time: number;
        on_time_rate: string | null;
        open: number;
        overdue: number;
      }[]
    >(ok(["report", "supervision", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json"], asOf));
    expect(rates).toEqual([
      { unit: "urban", finished: 1, on_time: 1, late: 0, on_time_rate: "100.0", open: 3, overdue: 1 },
    ]);
    // A period before the task was reported counts nothing finished.
    const before = json<{ finished: number }[]>(
      ok(["report", "supervision", "--rate", "--to", "2026-03-03", "--format", "json"], asOf),
    );
    expect(before.map((r) => r.finished)).toEqual([0]);
    const table = ok(["--lang", "zh-CN", "report", "supervision", "--rate"], asOf).stdout;
    expect(table).toContain("督办事项按期办结率（2026-01-01 至 2026-03-04）");
    expect(table).toContain("100.0%");
  });

  it("an old registry whose workflows mark nothing supervised says so", () => {
    const copy = tpl.copy();
    const { run } = runner(copy);
    commitByHand(copy, {
      "workflows/incoming.yaml": copy
        .read("workflows/incoming.yaml")
        .replace(/\n\s*supervised: true\n/, "\n"),
      "workflows/call.yaml": copy
        .read("workflows/call.yaml")
        .replace(/\n\s*supervised: true\n/, "\n")
        .replace(/\n\s*supervised: \{[^}]*\}\n/, "\n"),
    });
    for (const k of ["superior", "request", "inspection", "task"]) {
      const text = copy.read(`workflows/${k}.yaml`).replace(/\n\s*supervised: true/g, "");
      commitByHand(copy, { [`workflows/${k}.yaml`]: text });
    }
    const r = run(["report", "supervision"], asOf);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("supervised: true");
  });
});
