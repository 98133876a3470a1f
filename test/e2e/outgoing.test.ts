import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { recordRel } from "../../src/store/registry.js";
import {
  addSecondUnit,
  type BinResult,
  cleanupTempDirs,
  commitCount,
  DIRECTOR,
  git,
  json,
  LEADER,
  LEADER2,
  OFFICE,
  PEOPLE,
  RESIDENT_SECRETARY,
  type Registry,
  repoState,
  SECRETARY,
  templateRegistry,
  UNIT,
  UNIT_HEAD,
  UNIT2_HEAD,
} from "../helpers.js";

/**
 * Outgoing documents (发文, issue 4) end to end through the real bin, with fixed clocks:
 * draft → unit-sign → review → leader-sign → secretary-review → issue → number → recheck → print →
 * distribute; who issues by category; GB/T 9704 document numbers; time limits across the 2026
 * Spring Festival (rest 02-15..02-23, Sat 02-14 works) and National Day (rest 10-01..10-07,
 * Sat 10-10 works); e-gov sending; the register in every format.
 */

interface Event {
  action: string;
  actor: string;
  step?: string;
  to?: string[];
  until?: string;
  approved_by?: string;
  reason?: string;
  changes?: Record<string, unknown>;
}
interface Rec {
  id: string;
  kind: string;
  title: string;
  status: string;
  step: string | null;
  holders: string[];
  due: string | null;
  deadline: string | null;
  fields: Record<string, unknown>;
  withdrawn?: { by: string; reason: string };
  history: Event[];
}

const ISSUER: Record<string, string> = {
  "party-committee": SECRETARY,
  office: DIRECTOR,
  "party-government-office": RESIDENT_SECRETARY,
};
const nameOf = (id: string) => PEOPLE.find((p) => p.id === id)?.name ?? id;
const at = (day: string, hm: string) => `${day}T${hm}:00+08:00`;
const fileOf = (id: string) => recordRel("outgoing", id);

let tpl: ReturnType<typeof templateRegistry>;
let prefixes: Record<string, string>;

beforeAll(() => {
  tpl = templateRegistry();
  prefixes = (parse(tpl.template.read("office.yaml")) as { prefixes: Record<string, string> }).prefixes;
}, 60_000);
afterAll(cleanupTempDirs);
// The bin runs synchronously: let the worker's event loop turn between tests (vitest's RPC times out
// when a whole file blocks it for a minute).
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

function run(reg: Registry, args: string[], now: string, user = OFFICE): BinResult {
  return reg.run(args, { now, user });
}
function ok(reg: Registry, args: string[], now: string, user = OFFICE): string {
  const r = run(reg, args, now, user);
  expect(r.code, `${args.join(" ")} exited ${r.code}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
function show(reg: Registry, id: string, now = at("2026-12-01", "09:00")): Rec {
  return JSON.parse(ok(reg, ["show", id, "--json"], now)) as Rec;
}

/** Run a command that must be refused with `code`: nothing committed, the tree clean, the file unchanged. */
function refused(reg: Registry, args: string[], now: string, code: number, id?: string, user = OFFICE) {
  const before = repoState(reg.dir);
  const file = id ? reg.read(fileOf(id)) : undefined;
  const r = run(reg, args, now, user);
  expect(r.code, `${args.join(" ")} should exit ${code}\n${r.stderr}`).toBe(code);
  expect(r.stdout).toBe("");
  expect(repoState(reg.dir)).toEqual({ head: before.head, status: "" });
  if (id) expect(reg.read(fileOf(id))).toBe(file);
  return r;
}

function draft(reg: Registry, title: string, category: string, now: string, extra: string[] = []): Rec {
  const args = ["draft", "--title", title, "--category", category, "--unit", UNIT, "--json"];
  return JSON.parse(ok(reg, [...args, ...extra], now)) as Rec;
}

/** unit-sign, review, leader-sign and secretary-review on `day`: the record is then at `issue`. */
function toIssue(reg: Registry, id: string, day: string): void {
  ok(reg, ["unit-sign", id, "--as", UNIT_HEAD, "--opinion", "同意"], at(day, "09:10"));
  ok(reg, ["review", id, "--opinion", "格式已核"], at(day, "09:20"));
  ok(reg, ["leader-sign", id, "--as", LEADER, "--opinion", "同意印发"], at(day, "09:30"));
  ok(reg, ["secretary-review", id, "--as", SECRETARY], at(day, "09:40"));
}

/** Draft on `day` 09:00 and take it through `issue` (10:00) and `number` (10:30) the same day. */
function numbered(reg: Registry, title: string, category: string, day: string, extra: string[] = []): string {
  const d = draft(reg, title, category, at(day, "09:00"), [
    "--recipients",
    "各社区居委会,辖区各单位",
    "--cc",
    "区城市管理局",
    ...extra,
  ]);
  toIssue(reg, d.id, day);
  ok(reg, ["issue", d.id, "--as", ISSUER[category] as string, "--opinion", "签发"], at(day, "10:00"));
  ok(reg, ["number", d.id], at(day, "10:30"));
  return d.id;
}

describe("draft and the sign-off chain", () => {
  it("draft registers every field; deadline 5 working days across the Spring Festival; one commit", () => {
    const reg = tpl.copy();
    const count = commitCount(reg.dir);
    const d = draft(reg, "关于春节期间安全检查的通知", "office", at("2026-02-13", "09:00"), [
      "--type",
      "notice",
      "--urgency",
      "urgent",
      "--classification",
      "secret",
      "--secrecy-term",
      "6个月",
      "--recipients",
      "各社区居委会,辖区各单位",
      "--cc",
      "区应急管理局,区城市管理局",
      "--copies",
      "20",
    ]);
    expect(d.id).toBe("OUT-2026-0001");
    expect(d).toMatchObject({
      kind: "outgoing",
      title: "关于春节期间安全检查的通知",
      status: "open",
      step: "unit-sign",
      holders: [UNIT_HEAD],
      // Fri 02-13 + 5 working days: Sat 02-14, then (holiday 02-15..02-23) 02-24, 25, 26, 27.
      deadline: "2026-02-27",
      due: "2026-02-27",
    });
    expect(d.fields).toEqual({
      category: "office",
      unit: UNIT,
      type: "notice",
      urgency: "urgent",
      classification: "secret",
      secrecy_term: "6个月",
      recipients: ["各社区居委会", "辖区各单位"],
      cc: ["区应急管理局", "区城市管理局"],
      copies: 20,
    });
    expect(d.history.map((e) => e.action)).toEqual(["draft"]);
    expect(commitCount(reg.dir)).toBe(count + 1);
    expect(repoState(reg.dir).status).toBe("");
    // The same record read back later, and the file is where it belongs.
    expect(show(reg, d.id)).toMatchObject({ id: d.id, deadline: "2026-02-27", fields: d.fields });
    expect(reg.read(fileOf(d.id))).toContain("关于春节期间安全检查的通知");
  });

  it("draft: a bad category, unknown unit or missing option exits 2 and writes nothing", () => {
    const reg = tpl.copy();
    const now = at("2026-03-02", "09:00");
    const bad = refused(reg, ["draft", "--title", "t", "--category", "county", "--unit", UNIT], now, 2);
    expect(bad.stderr).toContain("party-committee");
    expect(
      refused(reg, ["draft", "--title", "t", "--category", "office", "--unit", "nowhere"], now, 2).stderr,
    ).toContain("nowhere");
    expect(refused(reg, ["draft", "--title", "t", "--category", "office"], now, 2).stderr).toContain(
      "--unit",
    );
    refused(reg, ["draft", "--title", "t", "--category", "office", "--unit", UNIT, "--type", "memo"], now, 2);
    refused(
      reg,
      ["draft", "--title", "t", "--category", "office", "--unit", UNIT, "--urgency", "now"],
      now,
      2,
    );
    refused(
      reg,
      ["draft", "--title", "t", "--category", "office", "--unit", UNIT, "--copies", "abc"],
      now,
      2,
    );
  });

  it("every step in order, each by its own people: only the drafting unit's head signs for the unit", () => {
    const reg = tpl.copy();
    addSecondUnit(reg);
    const day = "2026-03-02";
    const d = draft(reg, "关于加强辖区市容管理的通知", "office", at(day, "09:00"), [
      "--recipients",
      "各社区居委会",
    ]);
    // The head of another unit may not sign for the drafting unit.
    expect(refused(reg, ["unit-sign", d.id, "--as", UNIT2_HEAD], at(day, "09:05"), 1, d.id).stderr).toContain(
      nameOf(UNIT_HEAD),
    );
    const chain: [string, string, string, string[]][] = [
      // command, who, then: step, holders
      ["unit-sign", UNIT_HEAD, "review", [OFFICE]],
      ["review", OFFICE, "leader-sign", [LEADER, LEADER2].sort()],
      ["leader-sign", LEADER2, "secretary-review", [SECRETARY]],
      ["secretary-review", SECRETARY, "issue", [DIRECTOR]],
      ["issue", DIRECTOR, "number", [OFFICE]],
      ["number", OFFICE, "recheck", [OFFICE]],
      ["recheck", OFFICE, "print", [OFFICE]],
    ];
    let minute = 10;
    for (const [cmd, who, next, holders] of chain) {
      const now = at(day, `09:${minute++}`);
      // A leader is not the office: review, number and recheck refuse him.
      if (cmd === "review" || cmd === "number") refused(reg, [cmd, d.id, "--as", LEADER], now, 1, d.id);
      ok(reg, [cmd, d.id, "--as", who], now);
      const r = show(reg, d.id);
      expect([r.step, [...r.holders].sort()], `after ${cmd}`).toEqual([next, holders]);
    }
    // A step command for another step is refused.
    expect(refused(reg, ["distribute", d.id], at(day, "10:00"), 1, d.id).stderr).toMatch(/print|Printing/i);
    ok(reg, ["print", d.id, "--done"], at(day, "15:00"));
    expect(show(reg, d.id).step).toBe("distribute");
    ok(reg, ["distribute", d.id], at(day, "16:00"));
    const done = show(reg, d.id);
    expect(done).toMatchObject({ status: "closed", step: null, holders: [], due: null });
    expect(done.fields).toMatchObject({
      doc_number: `${prefixes.office}〔2026〕1号`,
      date_written: day,
      printed_on: day,
    });
    expect(done.history.map((e) => `${e.action}:${e.step ?? ""}`)).toEqual([
      "draft:unit-sign",
      "sign:unit-sign",
      "sign:review",
      "sign:leader-sign",
      "sign:secretary-review",
      "sign:issue",
      "sign:number",
      "sign:recheck",
      "sign:print",
      "sign:distribute",
    ]);
  }, 120_000);

  it.each([
    ["party-committee", SECRETARY, [DIRECTOR, RESIDENT_SECRETARY, LEADER]],
    ["office", DIRECTOR, [SECRETARY, RESIDENT_SECRETARY, LEADER]],
    ["party-government-office", RESIDENT_SECRETARY, [SECRETARY, DIRECTOR, OFFICE]],
  ])(
    "category %s is issued by %s only; anyone else is refused and nothing is written",
    (category, issuer, others) => {
      const reg = tpl.copy();
      const day = "2026-03-03";
      const d = draft(reg, `${category}的文件`, category, at(day, "09:00"));
      toIssue(reg, d.id, day);
      expect(show(reg, d.id)).toMatchObject({ step: "issue", holders: [issuer] });
      for (const wrong of others) {
        const r = refused(
          reg,
          ["issue", d.id, "--as", wrong, "--opinion", "签发"],
          at(day, "09:50"),
          1,
          d.id,
        );
        expect(r.stderr).toContain(nameOf(wrong));
        // The message names who may issue it.
        expect(r.stderr).toContain(nameOf(issuer));
      }
      ok(reg, ["issue", d.id, "--as", issuer, "--opinion", "签发"], at(day, "10:00"));
      const issued = show(reg, d.id);
      expect(issued).toMatchObject({ step: "number", fields: { date_written: day } });
      expect(issued.history.at(-1)).toMatchObject({ action: "sign", step: "issue", actor: issuer });
      // Each category has its own series: each starts at 1.
      ok(reg, ["number", d.id], at(day, "10:30"));
      expect(show(reg, d.id).fields.doc_number).toBe(`${prefixes[category]}〔2026〕1号`);
    },
    90_000,
  );
});

describe("document numbers", () => {
  it("gapless per prefix and year, kept by a withdrawn document and never reused, kept after a recheck return, anew in 2027", () => {
    const reg = tpl.copy();
    const a = numbered(reg, "文件甲", "office", "2026-03-02");
    const p = numbered(reg, "党工委文件", "party-committee", "2026-03-02");
    const b = numbered(reg, "文件乙", "office", "2026-03-03");
    const n = (id: string) => show(reg, id).fields.doc_number;
    expect([n(a), n(p), n(b)]).toEqual([
      `${prefixes.office}〔2026〕1号`,
      `${prefixes["party-committee"]}〔2026〕1号`,
      `${prefixes.office}〔2026〕2号`,
    ]);
    // GB/T 9704: full-width 〔〕, four-digit year, no leading zeros, no 第.
    for (const id of [a, p, b]) expect(String(n(id))).toMatch(/^[^〔〕[\]【】第]+〔2026〕[1-9]\d*号$/);

    // Only a leader may withdraw; the withdrawn document keeps its number.
    refused(reg, ["withdraw", b, "--reason", "内容有误", "--as", UNIT_HEAD], at("2026-03-03", "11:00"), 1, b);
    expect(refused(reg, ["withdraw", b], at("2026-03-03", "11:00"), 2, b).stderr).toContain("--reason");
    ok(reg, ["withdraw", b, "--reason", "内容有误", "--as", LEADER], at("2026-03-03", "11:00"));
    const w = show(reg, b);
    expect(w).toMatchObject({
      status: "closed",
      withdrawn: { by: LEADER, reason: "内容有误" },
      fields: { doc_number: `${prefixes.office}〔2026〕2号` },
    });

    // The next office document does not reuse 2号.
    const c = numbered(reg, "文件丙", "office", "2026-03-04");
    expect(n(c)).toBe(`${prefixes.office}〔2026〕3号`);

    // Recheck returns it to the issuer; after re-issuing, `number` keeps the number it had.
    ok(
      reg,
      ["recheck", c, "--decision", "return", "--opinion", "内容有实质性修改"],
      at("2026-03-04", "11:00"),
    );
    expect(show(reg, c)).toMatchObject({
      step: "issue",
      holders: [DIRECTOR],
      fields: { doc_number: `${prefixes.office}〔2026〕3号` },
    });
    ok(reg, ["issue", c, "--as", DIRECTOR, "--opinion", "修改后签发"], at("2026-03-05", "09:00"));
    ok(reg, ["number", c], at("2026-03-05", "09:10"));
    const again = show(reg, c);
    expect(again).toMatchObject({ step: "recheck", fields: { doc_number: `${prefixes.office}〔2026〕3号` } });
    expect(again.history.at(-1)?.changes?.doc_number).toBeUndefined();
    // … and that consumed no number: the next one is 4号.
    const e = numbered(reg, "文件丁", "office", "2026-03-05");
    expect(n(e)).toBe(`${prefixes.office}〔2026〕4号`);

    // A new year starts each series again at 1.
    const y = numbered(reg, "明年的文件", "office", "2027-01-05");
    expect(y).toBe("OUT-2027-0001");
    expect(n(y)).toBe(`${prefixes.office}〔2027〕1号`);

    // `check` accepts all this (warnings aside).
    const clean = run(reg, ["check", "--json"], at("2027-01-05", "12:00"));
    expect(clean.code, clean.stdout).toBe(0);
  }, 180_000);

  it("check reports a gap and a duplicate after numbers are edited by hand and committed with git", () => {
    const reg = tpl.copy();
    const a = numbered(reg, "甲", "office", "2026-03-10");
    const b = numbered(reg, "乙", "office", "2026-03-10");
    const now = at("2026-03-10", "12:00");
    expect(run(reg, ["check"], now).code).toBe(0);
    // 1, 2 -> 2, 2: 1号 is missing and 2号 is given twice.
    const rel = fileOf(a);
    writeFileSync(join(reg.dir, rel), reg.read(rel).replaceAll("〔2026〕1号", "〔2026〕2号"));
    git(reg.dir, ["-c", "user.name=Hand", "-c", "user.email=hand@x.example", "commit", "-qam", "hand edit"]);
    const series = `${prefixes.office}〔2026〕`;
    const r = run(reg, ["check"], now);
    expect(r.code).toBe(1);
    const text = r.stdout + r.stderr;
    expect(text).toContain(`${series}1号`);
    expect(text).toContain(`${series}2号`);
    const j = run(reg, ["check", "--json"], now);
    expect(j.code).toBe(1);
    const problems = json<{ ok: boolean; problems: { code: string; params: Record<string, unknown> }[] }>(j);
    expect(problems.ok).toBe(false);
    const errors = problems.problems.filter((x) => x.code.startsWith("check.number-"));
    expect(errors).toContainEqual(
      expect.objectContaining({
        code: "check.number-gap-before",
        params: expect.objectContaining({ series, n: 1 }),
      }),
    );
    const dup = errors.find((x) => x.code === "check.number-duplicate");
    expect(dup?.params.number).toBe(`${series}2号`);
    expect(String(dup?.params.ids)).toContain(a);
    expect(String(dup?.params.ids)).toContain(b);
  }, 120_000);
});

describe("document numbers after git moved HEAD back", () => {
  it("a number taken away by `git reset --hard` is given again: no gap, with the index as without it", () => {
    const reg = tpl.copy();
    const day = "2026-03-03";
    const n = (id: string) => show(reg, id).fields.doc_number;
    const first = numbered(reg, "文件甲", "office", day);
    expect(n(first)).toBe(`${prefixes.office}〔2026〕1号`);
    const second = numbered(reg, "文件乙", "office", day);
    // The clerk undoes the commit that gave 文件乙 its number, by hand.
    const numberedAt = git(reg.dir, ["log", "--format=%H", "-1", "--", fileOf(second)]).trim();
    git(reg.dir, ["reset", "-q", "--hard", `${numberedAt}~1`]);
    expect(show(reg, second).fields.doc_number).toBeUndefined();
    ok(reg, ["number", second], at(day, "12:00"));
    expect(n(second)).toBe(`${prefixes.office}〔2026〕2号`);
  }, 60_000);
});

describe("time limits", () => {
  it("print is due 1 working day after the issue day (across the Spring Festival); extend needs a leader", () => {
    const reg = tpl.copy();
    const d = draft(reg, "关于节后复工检查的通知", "office", at("2026-02-13", "09:00"));
    expect([d.deadline, d.due]).toEqual(["2026-02-27", "2026-02-27"]);
    // Everything up to the issue on Sat 2026-02-14, an adjusted working day.
    toIssue(reg, d.id, "2026-02-14");
    ok(reg, ["issue", d.id, "--as", DIRECTOR], at("2026-02-14", "10:00"));
    ok(reg, ["number", d.id], at("2026-02-14", "10:10"));
    // Steps without a limit of their own are due at the overall deadline.
    expect(show(reg, d.id)).toMatchObject({ step: "recheck", due: "2026-02-27" });
    ok(reg, ["recheck", d.id], at("2026-02-14", "10:20"));
    expect(show(reg, d.id)).toMatchObject({ step: "print", due: "2026-02-24", deadline: "2026-02-27" });

    const ext = ["extend", d.id, "--days", "2", "--reason", "印刷厂节后复工"];
    const notLeader = refused(reg, [...ext, "--approved-by", UNIT_HEAD], at("2026-02-14", "11:00"), 1, d.id);
    expect(notLeader.stderr).toContain(nameOf(UNIT_HEAD));
    refused(reg, [...ext, "--approved-by", OFFICE], at("2026-02-14", "11:00"), 1, d.id);
    expect(refused(reg, ext, at("2026-02-14", "11:00"), 2, d.id).stderr).toContain("--approved-by");
    ok(reg, [...ext, "--approved-by", LEADER2], at("2026-02-14", "11:00"));
    const e = show(reg, d.id);
    expect(e).toMatchObject({ step: "print", due: "2026-02-26", deadline: "2026-02-27" });
    expect(e.history.at(-1)).toMatchObject({
      action: "extend",
      step: "print",
      until: "2026-02-26",
      approved_by: LEADER2,
      reason: "印刷厂节后复工",
    });
  }, 90_000);

  it("across National Day: deadline 5 working days after drafting; an urgent one is printed the day it is issued", () => {
    const reg = tpl.copy();
    // Wed 09-30 + 5 working days: 10-08, 10-09, Sat 10-10 (adjusted), 10-12, 10-13.
    const d = draft(reg, "关于国庆期间值班安排的紧急通知", "office", at("2026-09-30", "09:00"), [
      "--urgency",
      "urgent",
    ]);
    expect([d.deadline, d.due]).toEqual(["2026-10-13", "2026-10-13"]);
    toIssue(reg, d.id, "2026-10-09");
    ok(reg, ["issue", d.id, "--as", DIRECTOR], at("2026-10-09", "10:00"));
    ok(reg, ["number", d.id], at("2026-10-09", "10:10"));
    ok(reg, ["recheck", d.id], at("2026-10-09", "10:20"));
    expect(show(reg, d.id)).toMatchObject({ step: "print", due: "2026-10-09", deadline: "2026-10-13" });
    // An extension of the whole procedure at a step without its own limit moves the deadline.
    const n = draft(reg, "关于节后工作安排的通知", "office", at("2026-09-30", "09:10"));
    ok(reg, ["unit-sign", n.id, "--as", UNIT_HEAD], at("2026-09-30", "09:20"));
    ok(
      reg,
      ["extend", n.id, "--until", "2026-10-16", "--approved-by", LEADER, "--reason", "征求意见"],
      at("2026-09-30", "09:30"),
    );
    expect(show(reg, n.id)).toMatchObject({ step: "review", due: "2026-10-16", deadline: "2026-10-16" });
  }, 90_000);
});

describe("egov send", () => {
  it("only numbered, never classified, only to its recipients and cc; a send is one commit with an egov-send event", () => {
    const reg = tpl.copy();
    const day = "2026-03-06";
    const d = draft(reg, "关于做好防汛准备工作的通知", "office", at(day, "09:00"), [
      "--recipients",
      "各社区居委会,辖区各单位",
      "--cc",
      "区应急管理局",
    ]);
    const send = (to: string) => ["egov", "send", d.id, "--to", to];
    refused(reg, send("各社区居委会"), at(day, "09:05"), 1, d.id);
    toIssue(reg, d.id, day);
    ok(reg, ["issue", d.id, "--as", DIRECTOR], at(day, "10:00"));
    // Issued but not numbered yet.
    const early = refused(reg, send("各社区居委会"), at(day, "10:05"), 1, d.id);
    expect(early.stderr).toMatch(/number/i);
    ok(reg, ["number", d.id], at(day, "10:10"));
    const outside = refused(reg, send("各社区居委会,区财政局"), at(day, "10:15"), 1, d.id);
    expect(outside.stderr).toContain("区财政局");
    expect(refused(reg, ["egov", "send", d.id], at(day, "10:15"), 2, d.id).stderr).toContain("--to");

    const count = commitCount(reg.dir);
    ok(reg, send("各社区居委会,区应急管理局"), at(day, "10:20"));
    expect(commitCount(reg.dir)).toBe(count + 1);
    expect(repoState(reg.dir).status).toBe("");
    const sent = show(reg, d.id);
    expect(sent.step).toBe("recheck");
    expect(sent.history.at(-1)).toMatchObject({
      action: "egov-send",
      actor: OFFICE,
      to: ["各社区居委会", "区应急管理局"],
    });

    const secret = numbered(reg, "关于涉密事项的通知", "office", day, [
      "--classification",
      "confidential",
      "--secrecy-term",
      "1年",
    ]);
    const r = refused(reg, ["egov", "send", secret, "--to", "各社区居委会"], at(day, "11:00"), 1, secret);
    expect(r.stderr).toMatch(/classified/i);
    expect(r.stderr).toContain("confidential");
  }, 90_000);
});

describe("the register of outgoing documents", () => {
  let reg: Registry;
  let a: string;
  let b: string;
  const odd = '关于"十五五"规划,征求意见的函';
  const now = at("2026-12-01", "09:00");
  const register = (format: string) =>
    ok(reg, ["report", "register", "--kind", "outgoing", "--year", "2026", "--format", format], now);

  beforeAll(() => {
    reg = tpl.copy();
    a = numbered(reg, "关于开展冬季环境整治工作的通知", "office", "2026-11-02", ["--copies", "30"]);
    b = draft(reg, odd, "party-government-office", at("2026-11-03", "09:00"), [
      "--type",
      "letter",
      "--recipients",
      "区发改委",
    ]).id;
    // Another year's document stays out of the 2026 register.
    draft(reg, "下一年度的文件", "office", at("2027-01-05", "09:00"));
  }, 90_000);

  it("table: a heading with the year and a row per document", () => {
    const t = register("table");
    expect(t).toContain("2026");
    expect(t).toContain(a);
    expect(t).toContain(b);
    expect(t).toContain(`${prefixes.office}〔2026〕1号`);
    expect(t).not.toContain("OUT-2027-0001");
  });

  it("json: one document, the records with their fields", () => {
    const rows = JSON.parse(register("json")) as Rec[];
    expect(rows.map((r) => r.id)).toEqual([a, b]);
    expect(rows[0]?.fields.doc_number).toBe(`${prefixes.office}〔2026〕1号`);
    expect(rows[1]?.title).toBe(odd);
    expect(
      JSON.parse(ok(reg, ["report", "register", "--kind", "outgoing", "--year", "2026", "--json"], now)),
    ).toEqual(rows);
  });

  it("csv: UTF-8 with a BOM, CRLF, RFC 4180 quoting, Chinese intact", () => {
    const csv = register("csv");
    expect(csv.startsWith("\ufeff")).toBe(true);
    expect(csv.startsWith("\ufeff\ufeff")).toBe(false);
    const lines = csv.slice(1).replace(/\r\n$/, "").split("\r\n");
    expect(lines).toHaveLength(3);
    const rows = lines.map(parseCsvLine);
    const header = rows[0] as string[];
    for (const r of rows) expect(r).toHaveLength(header.length);
    const col = (name: string) => header.indexOf(name);
    expect(col("ID")).toBeGreaterThanOrEqual(0);
    expect(rows[1]?.[col("ID")]).toBe(a);
    expect(rows[1]?.[col("Document number")]).toBe(`${prefixes.office}〔2026〕1号`);
    expect(rows[1]?.[col("Title")]).toBe("关于开展冬季环境整治工作的通知");
    expect(rows[2]?.[col("Title")]).toBe(odd);
    // Quotes doubled, the field quoted because of the comma.
    expect(csv).toContain('"关于""十五五""规划,征求意见的函"');
    // A list of recipients holds a comma: quoted too.
    expect(lines[1]).toMatch(
      /"各社区居委会, ?辖区各单位"|"各社区居委会、辖区各单位"|,各社区居委会、辖区各单位,/,
    );
  });

  it("markdown: a pipe table", () => {
    const md = register("markdown").trim().split("\n");
    expect(md[0]).toMatch(/^\| No\. \| ID \|/);
    // Number columns (No., pages, copies) are right-aligned.
    expect(md[1]).toMatch(/^\| ---: \|( ---:? \|)+$/);
    expect(md).toHaveLength(4);
    expect(md[2]).toContain(a);
    expect(md[3]).toContain(odd);
  });
});

/** One CSV line (no embedded newlines in these rows), RFC 4180. */
function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = "";
      i++;
      for (;;) {
        const ch = line[i];
        if (ch === undefined) throw new Error(`unterminated quote in ${line}`);
        if (ch === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (ch === '"') {
          i++;
          break;
        } else {
          v += ch;
          i++;
        }
      }
      out.push(v);
      if (i < line.length && line[i] !== ",") throw new Error(`bad quoting in ${line}`);
      i++;
    } else {
      const end = line.indexOf(",", i);
      const stop = end < 0 ? line.length : end;
      const v = line.slice(i, stop);
      if (v.includes('"')) throw new Error(`unquoted quote in ${line}`);
      out.push(v);
      i = stop + 1;
    }
  }
  return out;
}
