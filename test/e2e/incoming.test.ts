import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLERK,
  cleanupTempDirs,
  commitCount,
  gitLog,
  gitStatus,
  json,
  LEADER,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  SECRETARY,
  STAFF,
  templateRegistry,
  UNIT,
  UNIT_HEAD,
} from "../helpers.js";

/**
 * The incoming-document life cycle across the 2026 Spring Festival, with fixed clocks.
 * Fri 2026-02-13 is a working day; Sat 02-14 an adjusted working day; 02-15 .. 02-23 the holiday;
 * Tue 02-24 the first working day after it.
 */

interface Rec {
  id: string;
  status: string;
  step: string | null;
  holders: string[];
  due: string | null;
  archive?: { number: string; retention: string };
  history: { action: string; actor: string; recorded_by: string; at: string; step?: string }[];
}

let tpl: ReturnType<typeof templateRegistry>;

beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

afterAll(cleanupTempDirs);

const at = (date: string, time: string) => `${date}T${time}:00+08:00`;

function ok(reg: Registry, args: string[], now: string, user: string = CLERK) {
  const r = reg.run(args, { now, user });
  if (r.code !== 0) throw new Error(`${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r;
}

function show(reg: Registry, id: string, now: string): Rec {
  return json<Rec>(ok(reg, ["show", id, "--json"], now));
}

describe("incoming document across the Spring Festival", () => {
  let reg: Registry;
  const id = "IN-2026-0001";

  beforeAll(() => {
    reg = tpl.copy();
  });

  it("receive on 2026-02-13 09:00: at propose, held by the office", () => {
    const r = ok(
      reg,
      [
        "receive",
        "--title",
        "关于春节期间安全生产的通知",
        "--from",
        "区应急管理局",
        "--doc-number",
        "区应急发〔2026〕5号",
        "--json",
      ],
      at("2026-02-13", "09:00"),
    );
    const rec = json<Rec>(r);
    expect(rec).toMatchObject({ id, status: "open", step: "propose", holders: [OFFICE] });
    expect(rec.history[0]).toMatchObject({
      action: "receive",
      actor: CLERK,
      at: "2026-02-13T09:00:00+08:00",
    });
  });

  it("propose, then instruct --as the secretary --to urban at 15:00: due 2026-02-24", () => {
    ok(reg, ["propose", id, "--as", OFFICE, "--opinion", "拟请李书记阅示"], at("2026-02-13", "10:00"));
    expect(show(reg, id, at("2026-02-13", "10:00"))).toMatchObject({
      step: "instruct",
      holders: [SECRETARY],
    });
    ok(
      reg,
      ["instruct", id, "--as", SECRETARY, "--opinion", "请城管科办理", "--to", UNIT],
      at("2026-02-13", "15:00"),
    );
    const rec = show(reg, id, at("2026-02-13", "15:00"));
    expect(rec).toMatchObject({ step: "undertake", holders: [UNIT], due: "2026-02-24" });
  });

  it("overdue on 2026-02-25 by one day; not yet on 2026-02-24", () => {
    const r = reg.run(["overdue", "--as-of", "2026-02-25", "--json"], { now: at("2026-02-25", "08:00") });
    expect(r.code, r.stderr).toBe(0);
    const rows = json<Record<string, unknown>[]>(r);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id,
      kind: "incoming",
      title: "关于春节期间安全生产的通知",
      step: "undertake",
      holders: [UNIT],
      due: "2026-02-24",
      days_overdue: 1,
    });
    expect(
      reg.runBin(["overdue", "--as-of", "2026-02-25", "--check"], { now: at("2026-02-25", "08:00") }).code,
    ).toBe(3);
    expect(
      reg.run(["overdue", "--as-of", "2026-02-24", "--check"], { now: at("2026-02-25", "08:00") }).code,
    ).toBe(0);
    const onDue = reg.run(["overdue", "--as-of", "2026-02-24", "--json"], { now: at("2026-02-24", "08:00") });
    expect(json<{ days_overdue: number }[]>(onDue).filter((x) => x.days_overdue > 0)).toEqual([]);
  });

  it("overdue --check without --as-of uses OFFICE_DOC_NOW's day", () => {
    expect(reg.run(["overdue", "--check"], { now: at("2026-02-25", "08:00") }).code).toBe(3);
    expect(reg.run(["overdue", "--check"], { now: at("2026-02-24", "23:00") }).code).toBe(0);
  });

  it("undertake: refused for someone outside urban, done by a member of urban", () => {
    const n = commitCount(reg.dir);
    const bad = reg.run(["undertake", id, "--as", LEADER, "--opinion", "已办"], {
      now: at("2026-02-24", "10:00"),
    });
    expect(bad.code).toBe(1);
    expect(commitCount(reg.dir)).toBe(n);
    ok(reg, ["undertake", id, "--as", STAFF, "--opinion", "已组织节前安全检查"], at("2026-02-24", "10:00"));
    expect(show(reg, id, at("2026-02-24", "10:00"))).toMatchObject({ step: "feedback", holders: [OFFICE] });
  });

  it("feedback, then circulate --to two readers", () => {
    ok(reg, ["feedback", id, "--as", OFFICE, "--opinion", "已反馈区应急管理局"], at("2026-02-24", "11:00"));
    const rec = show(reg, id, at("2026-02-24", "11:00"));
    expect(rec.step).toBe("circulate");
    ok(reg, ["circulate", id, "--to", `${LEADER},${UNIT_HEAD}`], at("2026-02-24", "11:30"));
    const routed = show(reg, id, at("2026-02-24", "11:30"));
    expect(routed).toMatchObject({ step: "circulate" });
    expect([...routed.holders].sort()).toEqual([LEADER, UNIT_HEAD].sort());
  });

  it("each reader signs; `where` shows who still must read", () => {
    ok(reg, ["circulate", id, "--as", LEADER, "--opinion", "已阅"], at("2026-02-24", "14:00"));
    const after1 = show(reg, id, at("2026-02-24", "14:00"));
    expect(after1).toMatchObject({ step: "circulate", holders: [UNIT_HEAD] });
    const w = json<{ holders: string[]; signed: { who: string }[] }>(
      ok(reg, ["where", id, "--json"], at("2026-02-24", "14:00")),
    );
    expect(w.holders).toEqual([UNIT_HEAD]);
    expect(w.signed.map((s) => s.who)).toEqual([LEADER]);
    const text = ok(reg, ["where", id], at("2026-02-24", "14:00")).stdout;
    expect(text).toContain("赵磊");
    // A reader cannot sign twice.
    const again = reg.run(["circulate", id, "--as", LEADER], { now: at("2026-02-24", "14:05") });
    expect(again.code).toBe(1);
    ok(reg, ["circulate", id, "--as", UNIT_HEAD, "--opinion", "已阅"], at("2026-02-24", "15:00"));
    expect(show(reg, id, at("2026-02-24", "15:00"))).toMatchObject({ step: "file", holders: [CLERK] });
  });

  it("file: closed, with an archive number", () => {
    const r = ok(reg, ["file", id, "--json"], at("2026-02-25", "09:00"));
    const rec = json<Rec>(r);
    expect(rec).toMatchObject({ status: "closed", step: null, holders: [], due: null });
    expect(rec.archive?.number).toMatch(/^Z001-WS·2026-\S+-0001$/);
    expect(show(reg, id, at("2026-02-25", "09:00")).archive?.number).toBe(rec.archive?.number);
    const list = json<{ id: string }[]>(ok(reg, ["list", "--json"], at("2026-02-25", "09:00")));
    expect(list.map((s) => s.id)).not.toContain(id);
    const closed = json<{ id: string }[]>(
      ok(reg, ["list", "--status", "closed", "--json"], at("2026-02-25", "09:00")),
    );
    expect(closed.map((s) => s.id)).toContain(id);
    expect(reg.run(["overdue", "--check"], { now: at("2026-03-30", "09:00") }).code).toBe(0);
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("log lists every action in order, with who acted and who recorded", () => {
    const r = ok(reg, ["log", id, "--json"], at("2026-02-25", "09:00"));
    const entries = json<{ action: string; actor: string; recorded_by: string; step: string }[]>(r);
    expect(entries.map((e) => e.action)).toEqual([
      "receive",
      "sign",
      "sign",
      "sign",
      "sign",
      "route",
      "sign",
      "sign",
      "file",
    ]);
    expect(entries.map((e) => e.step)).toEqual([
      "propose",
      "propose",
      "instruct",
      "undertake",
      "feedback",
      "circulate",
      "circulate",
      "circulate",
      "file",
    ]);
    expect(entries.map((e) => e.actor)).toEqual([
      CLERK,
      OFFICE,
      SECRETARY,
      STAFF,
      OFFICE,
      CLERK,
      LEADER,
      UNIT_HEAD,
      CLERK,
    ]);
    expect(entries.every((e) => e.recorded_by === CLERK)).toBe(true);
    const table = ok(reg, ["log", id], at("2026-02-25", "09:00"));
    expect(table.stdout).toContain("李建国");
    // The git history agrees: one commit per action.
    expect(gitLog(reg.dir, recordPath(id))).toHaveLength(9);
  });

  it("log shows when each action happened, in office time (OFFICE_DOC_NOW)", () => {
    const entries = json<{ when: string }[]>(ok(reg, ["log", id, "--json"], at("2026-02-25", "09:00")));
    const history = show(reg, id, at("2026-02-25", "09:00")).history;
    expect(entries.map((e) => e.when)).toEqual(history.map((e) => e.at));
    expect(entries[0]?.when).toBe("2026-02-13T09:00:00+08:00");
  });

  it("check passes after the whole life cycle", () => {
    const r = reg.run(["check"], { now: at("2026-02-25", "09:00") });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe("an urgent document", () => {
  it("received on a working day is due that same day at every step", () => {
    const reg = tpl.copy();
    const day = "2026-02-13";
    const id = receive(reg, "关于做好寒潮天气防范应对工作的紧急通知", {
      now: at(day, "08:40"),
      extra: ["--urgency", "urgent"],
    });
    const dues: (string | null)[] = [show(reg, id, at(day, "08:40")).due];
    const steps: [string[], string][] = [
      [["propose", id, "--as", OFFICE], "09:30"],
      [["instruct", id, "--as", SECRETARY, "--to", UNIT], "10:30"],
      [["undertake", id, "--as", UNIT_HEAD], "13:30"],
      [["feedback", id, "--as", OFFICE], "14:30"],
      [["circulate", id, "--to", LEADER], "15:00"],
      [["circulate", id, "--as", LEADER], "16:00"],
    ];
    const seen: string[] = [show(reg, id, at(day, "08:40")).step as string];
    for (const [args, time] of steps) {
      ok(reg, args, at(day, time));
      const rec = show(reg, id, at(day, time));
      seen.push(rec.step as string);
      dues.push(rec.due);
    }
    expect(seen).toEqual(["propose", "instruct", "undertake", "feedback", "circulate", "circulate", "file"]);
    expect(dues).toEqual(Array(dues.length).fill(day));
    const filed = json<Rec>(ok(reg, ["file", id, "--json"], at(day, "17:00")));
    expect(filed.status).toBe("closed");
  });

  it("extra-urgent too; a normal one is proposed the same day, instructed the next working day", () => {
    const reg = tpl.copy();
    const day = "2026-03-03";
    const urgent = receive(reg, "特急件", { now: at(day, "09:00"), extra: ["--urgency", "extra-urgent"] });
    expect(show(reg, urgent, at(day, "09:00")).due).toBe(day);
    ok(reg, ["propose", urgent, "--as", OFFICE], at(day, "10:00"));
    expect(show(reg, urgent, at(day, "10:00")).due).toBe(day);
    const normal = receive(reg, "普通件", { now: at(day, "09:00") });
    expect(show(reg, normal, at(day, "09:00")).due).toBe(day);
    ok(reg, ["propose", normal, "--as", OFFICE], at(day, "10:00"));
    expect(show(reg, normal, at(day, "10:00")).due).toBe("2026-03-04");
  });
});

describe("extend", () => {
  let reg: Registry;
  let id = "";
  const now = at("2026-02-24", "09:00");

  beforeAll(() => {
    reg = tpl.copy();
    id = receive(reg, "关于春节期间安全生产的通知", { now: at("2026-02-13", "09:00") });
    ok(reg, ["propose", id, "--as", OFFICE], at("2026-02-13", "10:00"));
    ok(reg, ["instruct", id, "--as", SECRETARY, "--to", UNIT], at("2026-02-13", "15:00"));
  }, 60_000);

  function unchanged(args: string[], code: number) {
    const before = reg.read(recordPath(id));
    const n = commitCount(reg.dir);
    const r = reg.run(args, { now });
    expect(r.code, r.stderr).toBe(code);
    expect(reg.read(recordPath(id))).toBe(before);
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
    return r;
  }

  it("without --approved-by exits 2", () => {
    expect(show(reg, id, now).due).toBe("2026-02-24");
    const r = unchanged(["extend", id, "--days", "2", "--reason", "节后人手不足"], 2);
    expect(r.stderr).toContain("--approved-by");
  });

  it("approved by someone who is not a leader exits 1", () => {
    unchanged(["extend", id, "--days", "2", "--reason", "节后人手不足", "--approved-by", OFFICE], 1);
    unchanged(["extend", id, "--days", "2", "--reason", "节后人手不足", "--approved-by", STAFF], 1);
  });

  it("malformed values exit 2", () => {
    unchanged(["extend", id, "--until", "next week", "--reason", "r", "--approved-by", LEADER], 2);
    unchanged(["extend", id, "--days", "0", "--reason", "r", "--approved-by", LEADER], 2);
    unchanged(
      ["extend", id, "--days", "2", "--until", "2026-03-02", "--reason", "r", "--approved-by", LEADER],
      2,
    );
    unchanged(["extend", id, "--days", "2", "--reason", "r", "--approved-by", "nobody"], 2);
  });

  it("approved by a leader moves the due date by working days", () => {
    const r = ok(
      reg,
      ["extend", id, "--days", "2", "--reason", "节后人手不足", "--approved-by", LEADER, "--json"],
      now,
    );
    const rec = json<Rec & { history: { approved_by?: string; action: string }[] }>(r);
    expect(rec.due).toBe("2026-02-26");
    expect(rec.step).toBe("undertake");
    expect(rec.history.at(-1)).toMatchObject({ action: "extend", approved_by: LEADER });
    const [c] = gitLog(reg.dir);
    expect(c?.trailers["Office-Doc-Action"]).toBe("extend");
    expect(reg.run(["overdue", "--as-of", "2026-02-25", "--check"], { now }).code).toBe(0);
    expect(reg.run(["overdue", "--as-of", "2026-02-27", "--check"], { now }).code).toBe(3);
  });

  it("--until a later date; an earlier one exits 2", () => {
    const r = ok(
      reg,
      ["extend", id, "--until", "2026-03-06", "--reason", "待区里回复", "--approved-by", SECRETARY, "--json"],
      now,
    );
    expect(json<Rec>(r).due).toBe("2026-03-06");
    unchanged(["extend", id, "--until", "2026-03-02", "--reason", "r", "--approved-by", LEADER], 2);
  });
});
