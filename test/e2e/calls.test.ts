import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { recordRel } from "../../src/store/registry.js";
import {
  addSecondUnit,
  type BinResult,
  CLERK,
  cleanupTempDirs,
  commitCount,
  LEADER,
  OFFICE,
  type Registry,
  repoState,
  SECRETARY,
  STAFF,
  templateRegistry,
  UNIT,
  UNIT_HEAD,
  UNIT2,
  UNIT2_HEAD,
  UNIT2_STAFF,
} from "../helpers.js";

/**
 * Citizen calls, visits and letters (来电来访, issue 5) end to end through the real bin, with fixed
 * clocks: registration and phone rules, first-inquiry responsibility (handle → reply → closed),
 * important calls with the party secretary's instruction, limits in working days across the 2026
 * Spring Festival (rest 02-15..02-23, Sat 02-14 works) and National Day (rest 10-01..10-07, Sun 09-20
 * and Sat 10-10 work), extensions with the caller informed, reopening, masked registers, statistics.
 */

interface Event {
  action: string;
  actor: string;
  step?: string;
  to?: string[];
  opinion?: string;
  until?: string;
  reason?: string;
  approved_by?: string;
  caller_informed?: boolean;
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
  history: Event[];
}

const at = (day: string, hm: string) => `${day}T${hm}:00+08:00`;
const fileOf = (id: string) => recordRel("call", id);
/** Until a call is transferred, the office (office staff and the clerk) may handle it. */
const FRONT_DESK = [CLERK, OFFICE].sort();

let tpl: ReturnType<typeof templateRegistry>;
beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);
afterAll(cleanupTempDirs);
// The bin runs synchronously: let the worker's event loop turn between tests.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

function run(reg: Registry, args: string[], now: string, user = OFFICE): BinResult {
  return reg.run(args, { now, user });
}
function ok(reg: Registry, args: string[], now: string, user = OFFICE): BinResult {
  const r = run(reg, args, now, user);
  expect(r.code, `${args.join(" ")} exited ${r.code}\n${r.stderr}`).toBe(0);
  return r;
}
function show(reg: Registry, id: string, now = at("2026-12-01", "09:00")): Rec {
  return JSON.parse(ok(reg, ["show", id, "--json"], now).stdout) as Rec;
}
/** A command that must be refused with `code`: nothing committed, the tree clean, the record unchanged. */
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

interface CallOpts {
  caller?: string;
  phone?: string;
  matter?: string;
  extra?: string[];
}
function callArgs(o: CallOpts = {}): string[] {
  return [
    "call",
    "--caller",
    o.caller ?? "张三",
    "--phone",
    o.phone ?? "13812345678",
    "--matter",
    o.matter ?? "小区路灯损坏",
    ...(o.extra ?? []),
  ];
}
function call(reg: Registry, now: string, o: CallOpts = {}): Rec {
  return JSON.parse(ok(reg, [...callArgs(o), "--json"], now).stdout) as Rec;
}

describe("registration", () => {
  it("stores caller, phone, address, matter, channel, type, category; the office holds it until routed", () => {
    const reg = tpl.copy();
    const count = commitCount(reg.dir);
    const c = call(reg, at("2026-03-02", "09:00"), {
      matter: "小区门口路灯损坏多日",
      extra: [
        "--address",
        "幸福里小区3号楼",
        "--channel",
        "visit",
        "--type",
        "complaint",
        "--category",
        "ordinary",
      ],
    });
    expect(c.id).toBe("CALL-2026-0001");
    expect(c).toMatchObject({
      kind: "call",
      title: "小区门口路灯损坏多日",
      status: "open",
      step: "handle",
      due: "2026-03-04",
      deadline: "2026-03-04",
    });
    expect([...c.holders].sort()).toEqual(FRONT_DESK);
    expect(c.fields).toEqual({
      caller: "张三",
      phone: "13812345678",
      address: "幸福里小区3号楼",
      channel: "visit",
      type: "complaint",
      category: "ordinary",
      important: false,
    });
    expect(c.history.map((e) => e.action)).toEqual(["call"]);
    expect(commitCount(reg.dir)).toBe(count + 1);
    expect(repoState(reg.dir).status).toBe("");
    // Defaults: by phone, a consultation, an ordinary matter, not important.
    const d = call(reg, at("2026-03-02", "09:10"), { caller: "李四", phone: "13900001111" });
    expect(d.fields).toEqual({
      caller: "李四",
      phone: "13900001111",
      channel: "phone",
      type: "consultation",
      category: "ordinary",
      important: false,
    });
  });

  it.each(["12345", "1381234567", "23812345678", "138-1234-56789", "abc"])(
    "an invalid phone %s exits 2 with a clear message and writes nothing",
    (phone) => {
      const reg = tpl.template;
      const r = refused(reg, callArgs({ phone }), at("2026-03-02", "09:00"), 2);
      expect(r.stderr).toContain(phone);
      expect(r.stderr).toMatch(/phone/i);
    },
  );

  it("bad enum values and missing options exit 2 and write nothing", () => {
    const reg = tpl.template;
    const now = at("2026-03-02", "09:00");
    expect(refused(reg, callArgs({ extra: ["--channel", "fax"] }), now, 2).stderr).toContain("--channel");
    expect(refused(reg, callArgs({ extra: ["--type", "praise"] }), now, 2).stderr).toContain("--type");
    expect(refused(reg, callArgs({ extra: ["--category", "urgent"] }), now, 2).stderr).toContain(
      "--category",
    );
    const missing = refused(reg, ["call", "--caller", "张三", "--phone", "13812345678"], now, 2);
    expect(missing.stderr).toContain("--matter");
  });

  it("a spaced mobile and a landline are stored normalised; a second call from a phone lists the earlier ones", () => {
    const reg = tpl.copy();
    const first = ok(reg, [...callArgs({ phone: "138 1234 5678" }), "--json"], at("2026-03-02", "09:00"));
    const a = JSON.parse(first.stdout) as Rec;
    expect(a.fields.phone).toBe("13812345678");
    expect(first.stderr).not.toContain("CALL-");
    const land = call(reg, at("2026-03-02", "09:05"), { caller: "王五", phone: "010-62345678" });
    expect(land.fields.phone).toBe("010-62345678");
    // The first call is answered and closed; it is still listed as an earlier call.
    ok(reg, ["handle", a.id], at("2026-03-02", "10:00"));
    ok(reg, ["reply", a.id, "--answer", "已报修", "--via", "phone"], at("2026-03-02", "10:10"));
    const second = ok(reg, [...callArgs({ matter: "路灯仍未修好" }), "--json"], at("2026-03-03", "09:00"));
    const b = JSON.parse(second.stdout) as Rec;
    expect(second.stderr).toContain(a.id);
    expect(second.stderr).not.toContain(land.id);
    const third = ok(
      reg,
      [...callArgs({ phone: "138-1234-5678", matter: "第三次反映" }), "--json"],
      at("2026-03-04", "09:00"),
    );
    expect(third.stderr).toContain(a.id);
    expect(third.stderr).toContain(b.id);
    // stdout stays one JSON document.
    expect((JSON.parse(third.stdout) as Rec).fields.phone).toBe("13812345678");
  });
});

describe("handle and reply", () => {
  it("routed to a unit, only that unit's members may handle it; reply needs an answer; then closed", () => {
    const reg = tpl.copy();
    addSecondUnit(reg);
    const c = call(reg, at("2026-03-02", "09:00"));
    // Only the office routes.
    refused(reg, ["route", c.id, "--to", UNIT], at("2026-03-02", "09:05"), 1, c.id, STAFF);
    ok(reg, ["route", c.id, "--to", UNIT, "--note", "首问负责，转城管科"], at("2026-03-02", "09:10"));
    const routed = show(reg, c.id);
    expect(routed).toMatchObject({ step: "handle", holders: [UNIT], fields: { unit: UNIT } });
    expect(routed.history.at(-1)).toMatchObject({ action: "route", to: [UNIT] });
    // Now the office itself, another unit and a leader are refused.
    for (const who of [OFFICE, UNIT2_HEAD, LEADER]) {
      const r = refused(reg, ["handle", c.id, "--as", who], at("2026-03-02", "09:20"), 1, c.id);
      expect(r.stderr).toContain("城市管理科");
    }
    ok(reg, ["handle", c.id, "--as", STAFF, "--opinion", "已联系供电所修复"], at("2026-03-02", "15:00"));
    const handled = show(reg, c.id);
    expect(handled).toMatchObject({ step: "reply", due: "2026-03-04" });
    expect([...handled.holders].sort()).toEqual(FRONT_DESK);

    const reply = (...more: string[]) => ["reply", c.id, ...more];
    expect(refused(reg, reply("--via", "phone"), at("2026-03-03", "09:00"), 2, c.id).stderr).toContain(
      "--answer",
    );
    expect(
      refused(reg, reply("--answer", " ", "--via", "phone"), at("2026-03-03", "09:00"), 2, c.id).stderr,
    ).toContain("--answer");
    expect(refused(reg, reply("--answer", "已修复"), at("2026-03-03", "09:00"), 2, c.id).stderr).toContain(
      "--via",
    );
    refused(
      reg,
      reply("--answer", "已修复", "--via", "phone", "--satisfaction", "ok"),
      at("2026-03-03", "09:00"),
      2,
      c.id,
    );
    // The unit does not answer the caller: the office does.
    refused(
      reg,
      reply("--answer", "已修复", "--via", "phone", "--as", STAFF),
      at("2026-03-03", "09:00"),
      1,
      c.id,
    );
    ok(
      reg,
      reply("--answer", "路灯已修复", "--via", "phone", "--satisfaction", "satisfied"),
      at("2026-03-03", "09:30"),
    );
    const done = show(reg, c.id);
    expect(done).toMatchObject({ status: "closed", step: null, holders: [], due: null });
    expect(done.fields).toMatchObject({
      unit: UNIT,
      answer: "路灯已修复",
      reply_via: "phone",
      satisfaction: "satisfied",
    });
    expect(done.history.map((e) => `${e.action}:${e.step}`)).toEqual([
      "call:handle",
      "route:handle",
      "sign:handle",
      "sign:reply",
    ]);
    // A satisfied caller's matter is not reopened; nor is an open one.
    refused(reg, ["reopen", c.id, "--reason", "再次反映"], at("2026-03-04", "09:00"), 1, c.id);
    const open = call(reg, at("2026-03-04", "09:00"));
    refused(reg, ["reopen", open.id, "--reason", "x"], at("2026-03-04", "09:10"), 1, open.id);
  }, 90_000);

  it("--important: the party secretary instructs first and names the unit", () => {
    const reg = tpl.copy();
    const c = call(reg, at("2026-03-02", "14:00"), { extra: ["--important", "--category", "complex"] });
    expect(c).toMatchObject({ step: "instruct", holders: [SECRETARY], fields: { important: true } });
    // The instruction the same day ("immediately … report it to the party secretary", seed §4.3); the
    // whole matter 15 working days from Mon 03-02.
    expect([c.due, c.deadline]).toEqual(["2026-03-02", "2026-03-23"]);
    const wrongStep = refused(reg, ["handle", c.id], at("2026-03-02", "14:10"), 1, c.id);
    expect(wrongStep.stderr).toMatch(/instruct|Instruction/);
    refused(reg, ["instruct", c.id, "--as", LEADER, "--opinion", "x"], at("2026-03-02", "14:10"), 1, c.id);
    ok(
      reg,
      ["instruct", c.id, "--as", SECRETARY, "--opinion", "请城管科核实处理", "--to", UNIT],
      at("2026-03-02", "15:00"),
    );
    const r = show(reg, c.id);
    expect(r).toMatchObject({ step: "handle", holders: [UNIT], fields: { unit: UNIT }, due: "2026-03-23" });
    expect(r.history.at(-1)).toMatchObject({
      action: "sign",
      step: "instruct",
      actor: SECRETARY,
      opinion: "请城管科核实处理",
      to: [UNIT],
    });
    ok(reg, ["handle", c.id, "--as", UNIT_HEAD], at("2026-03-03", "10:00"));
    expect(show(reg, c.id).step).toBe("reply");
  }, 60_000);
});

describe("time limits from registration", () => {
  let reg: Registry;
  beforeAll(() => {
    reg = tpl.copy();
  });

  it.each([
    ["2026-02-13", "immediate", "2026-02-13"],
    // Sat 02-14 works, then the Spring Festival (02-15..02-23): the 2nd working day is Tue 02-24.
    ["2026-02-13", "ordinary", "2026-02-24"],
    // Fri 09-18: Sun 09-20 is an adjusted working day.
    ["2026-09-18", "ordinary", "2026-09-21"],
    // 15 working days across Mid-Autumn (09-25) and National Day (10-01..10-07), Sat 10-10 works.
    ["2026-09-18", "complex", "2026-10-15"],
    ["2026-09-30", "ordinary", "2026-10-09"],
  ])("registered %s, %s: due %s", (day, category, due) => {
    const c = call(reg, at(day, "10:00"), { extra: ["--category", category] });
    expect([c.step, c.due, c.deadline]).toEqual(["handle", due, due]);
    expect(show(reg, c.id).due).toBe(due);
  });

  it("an important call has the same limit from registration; its instruction is due that day", () => {
    const c = call(reg, at("2026-09-18", "10:00"), { extra: ["--category", "complex", "--important"] });
    expect([c.step, c.due, c.deadline]).toEqual(["instruct", "2026-09-18", "2026-10-15"]);
  });
});

describe("extensions", () => {
  it("need --caller-informed even from a leader, and a leader; then the due date moves", () => {
    const reg = tpl.copy();
    const c = call(reg, at("2026-09-18", "10:00"), { extra: ["--category", "complex"] });
    ok(reg, ["route", c.id, "--to", UNIT], at("2026-09-18", "10:10"));
    const ext = ["extend", c.id, "--days", "5", "--reason", "需协调供电部门"];
    const now = at("2026-10-12", "09:00");
    const noInform = refused(reg, [...ext, "--approved-by", LEADER], now, 2, c.id);
    expect(noInform.stderr).toContain("--caller-informed");
    refused(reg, [...ext, "--approved-by", SECRETARY], now, 2, c.id);
    const notLeader = refused(reg, [...ext, "--approved-by", UNIT_HEAD, "--caller-informed"], now, 1, c.id);
    expect(notLeader.stderr).toContain("赵磊");
    refused(reg, [...ext, "--approved-by", STAFF, "--caller-informed"], now, 1, c.id);
    ok(reg, [...ext, "--approved-by", LEADER, "--caller-informed"], now);
    const e = show(reg, c.id);
    // 10-15 + 5 working days: 16, 19, 20, 21, 22.
    expect([e.step, e.due, e.deadline, e.holders]).toEqual(["handle", "2026-10-22", "2026-10-22", [UNIT]]);
    expect(e.history.at(-1)).toMatchObject({
      action: "extend",
      until: "2026-10-22",
      approved_by: LEADER,
      caller_informed: true,
      reason: "需协调供电部门",
    });
    // --until works the same way; an earlier date is refused.
    refused(
      reg,
      [
        "extend",
        c.id,
        "--until",
        "2026-10-20",
        "--approved-by",
        LEADER,
        "--reason",
        "x",
        "--caller-informed",
      ],
      now,
      2,
      c.id,
    );
    ok(
      reg,
      [
        "extend",
        c.id,
        "--until",
        "2026-10-30",
        "--approved-by",
        SECRETARY,
        "--reason",
        "再协调",
        "--caller-informed",
      ],
      now,
    );
    expect(show(reg, c.id)).toMatchObject({ due: "2026-10-30", deadline: "2026-10-30" });
  }, 60_000);
});

describe("reopening", () => {
  it("only after a dissatisfied reply; the new round is due from the reopening day", () => {
    const reg = tpl.copy();
    // Mon 09-28, ordinary: due Wed 09-30.
    const c = call(reg, at("2026-09-28", "09:00"), { matter: "楼下饭店油烟扰民" });
    expect(c.due).toBe("2026-09-30");
    ok(reg, ["handle", c.id], at("2026-09-28", "10:00"));
    ok(
      reg,
      ["reply", c.id, "--answer", "已协调整改", "--via", "phone", "--satisfaction", "dissatisfied"],
      at("2026-09-28", "11:00"),
    );
    expect(show(reg, c.id).status).toBe("closed");
    expect(refused(reg, ["reopen", c.id], at("2026-09-30", "09:00"), 2, c.id).stderr).toContain("--reason");
    ok(reg, ["reopen", c.id, "--reason", "来电人不满意，油烟仍未整改"], at("2026-09-30", "09:00"));
    const r = show(reg, c.id);
    // Counted from Wed 09-30, across National Day: 10-08, 10-09.
    expect([r.status, r.step, r.due, r.deadline]).toEqual(["open", "handle", "2026-10-09", "2026-10-09"]);
    expect([...r.holders].sort()).toEqual(FRONT_DESK);
    expect(r.history.at(-1)).toMatchObject({ action: "reopen", reason: "来电人不满意，油烟仍未整改" });
    // An open call is not reopened again.
    refused(reg, ["reopen", c.id, "--reason", "x"], at("2026-09-30", "09:10"), 1, c.id);
  }, 60_000);

  it("a later reply that records no dissatisfaction does not allow another reopening", () => {
    const reg = tpl.copy();
    const c = call(reg, at("2026-03-02", "09:00"));
    ok(reg, ["handle", c.id], at("2026-03-02", "10:00"));
    ok(
      reg,
      ["reply", c.id, "--answer", "已处理", "--via", "phone", "--satisfaction", "dissatisfied"],
      at("2026-03-02", "11:00"),
    );
    ok(reg, ["reopen", c.id, "--reason", "不满意"], at("2026-03-03", "09:00"));
    ok(reg, ["handle", c.id], at("2026-03-03", "10:00"));
    // The second round's reply: the caller was not asked again (or said nothing).
    ok(reg, ["reply", c.id, "--answer", "再次处理完毕", "--via", "visit"], at("2026-03-03", "11:00"));
    expect(show(reg, c.id).status).toBe("closed");
    // The last reply is not a dissatisfied one: reopening must be refused.
    refused(reg, ["reopen", c.id, "--reason", "又来电"], at("2026-03-04", "09:00"), 1, c.id);
  }, 60_000);
});

describe("registers and statistics", () => {
  let reg: Registry;
  const now = at("2026-12-01", "09:00");
  let ids: Record<string, string>;

  beforeAll(() => {
    reg = tpl.copy();
    addSecondUnit(reg);
    // a: to urban, closed on time. b: to urban, immediate, handled a day late. c: to social, on time.
    // d: the office answers itself at once. e: still open and overdue at the report date.
    const a = call(reg, at("2026-03-02", "09:00"), { extra: ["--type", "help", "--address", "幸福里3号楼"] });
    ok(reg, ["route", a.id, "--to", UNIT], at("2026-03-02", "09:10"));
    ok(reg, ["handle", a.id, "--as", STAFF], at("2026-03-03", "09:00"));
    ok(
      reg,
      ["reply", a.id, "--answer", "已修复", "--via", "phone", "--satisfaction", "satisfied"],
      at("2026-03-03", "10:00"),
    );
    const b = call(reg, at("2026-03-02", "09:20"), {
      caller: "欧阳小明",
      phone: "010-62345678",
      matter: "噪音扰民",
      extra: ["--type", "complaint", "--category", "immediate"],
    });
    ok(reg, ["route", b.id, "--to", UNIT], at("2026-03-02", "09:30"));
    ok(reg, ["handle", b.id, "--as", UNIT_HEAD], at("2026-03-03", "09:00"));
    ok(reg, ["reply", b.id, "--answer", "已劝导", "--via", "phone"], at("2026-03-03", "10:00"));
    const c = call(reg, at("2026-03-02", "09:40"), {
      caller: "王五",
      phone: "13700001111",
      matter: "低保政策咨询",
      extra: ["--type", "complaint"],
    });
    ok(reg, ["route", c.id, "--to", UNIT2], at("2026-03-02", "09:50"));
    ok(reg, ["handle", c.id, "--as", UNIT2_STAFF], at("2026-03-02", "15:00"));
    ok(reg, ["reply", c.id, "--answer", "已解答", "--via", "phone"], at("2026-03-02", "16:00"));
    const d = call(reg, at("2026-03-02", "10:00"), {
      caller: "赵六",
      phone: "13600002222",
      matter: "办事时间",
    });
    ok(reg, ["handle", d.id], at("2026-03-02", "10:05"));
    ok(reg, ["reply", d.id, "--answer", "工作日8:30-17:30", "--via", "phone"], at("2026-03-02", "10:10"));
    const e = call(reg, at("2026-03-02", "10:30"), {
      caller: "钱七",
      phone: "13500003333",
      matter: "占道经营",
    });
    ok(reg, ["route", e.id, "--to", UNIT], at("2026-03-02", "10:40"));
    ids = { a: a.id, b: b.id, c: c.id, d: d.id, e: e.id };
  }, 120_000);

  const register = (format: string, ...more: string[]) =>
    ok(reg, ["report", "register", "--kind", "call", "--year", "2026", "--format", format, ...more], now)
      .stdout;

  it.each(["table", "csv", "markdown", "json"])(
    "register --format %s masks caller, phone and address",
    (format) => {
      const out = register(format);
      for (const id of Object.values(ids)) expect(out).toContain(id);
      for (const secret of ["张三", "13812345678", "欧阳小明", "62345678", "幸福里3号楼", "13700001111"])
        expect(out.includes(secret), `register --format ${format} shows ${secret} unmasked`).toBe(false);
      for (const masked of ["张*", "138****5678", "欧***", "010-****5678", "137****1111"])
        expect(out.includes(masked), `register --format ${format} lacks ${masked}`).toBe(true);
    },
  );

  it("register --unmask shows them in full; show always does", () => {
    const csv = register("csv", "--unmask");
    for (const full of ["张三", "13812345678", "欧阳小明", "010-62345678", "幸福里3号楼"])
      expect(csv).toContain(full);
    const rec = show(reg, ids.a as string);
    expect(rec.fields).toMatchObject({ caller: "张三", phone: "13812345678", address: "幸福里3号楼" });
    const human = ok(reg, ["show", ids.b as string], now).stdout;
    expect(human).toContain("欧阳小明");
    expect(human).toContain("010-62345678");
  });

  it("stats: on-time rates per unit", () => {
    type Row = {
      kind: string;
      group: string;
      total: number;
      closed: number;
      closed_on_time: number;
      open: number;
      open_overdue: number;
      on_time_rate: number | null;
    };
    const rows = JSON.parse(ok(reg, ["report", "stats", "--kind", "call", "--json"], now).stdout) as Row[];
    expect(rows.every((r) => r.kind === "call")).toBe(true);
    const by = (g: string) => rows.find((r) => r.group === g);
    expect(by(UNIT)).toMatchObject({
      total: 3,
      closed: 2,
      closed_on_time: 1,
      on_time_rate: 50,
      open: 1,
      open_overdue: 1,
    });
    expect(by(UNIT2)).toMatchObject({ total: 1, closed: 1, closed_on_time: 1, on_time_rate: 100, open: 0 });
    expect(by("")).toMatchObject({ total: 1, closed: 1, on_time_rate: 100 });
    const table = ok(reg, ["report", "stats", "--kind", "call"], now).stdout;
    expect(table).toContain("城市管理科");
    expect(table).toContain("社会事务科");
    expect(table).toContain("50%");
  });

  it("stats --by type groups by the type of call", () => {
    const rows = JSON.parse(
      ok(reg, ["report", "stats", "--kind", "call", "--by", "type", "--json"], now).stdout,
    ) as {
      group: string;
      total: number;
      closed: number;
      closed_on_time: number;
      on_time_rate: number | null;
    }[];
    const by = (g: string) => rows.find((r) => r.group === g);
    expect(rows.map((r) => r.group).sort()).toEqual(["complaint", "consultation", "help"]);
    expect(by("help")).toMatchObject({ total: 1, closed: 1, on_time_rate: 100 });
    expect(by("complaint")).toMatchObject({ total: 2, closed: 2, closed_on_time: 1, on_time_rate: 50 });
    expect(by("consultation")).toMatchObject({ total: 2, closed: 1 });
  });
});
