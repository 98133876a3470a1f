import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
  json,
  LEADER,
  OFFICE,
  type Registry,
  SECRETARY,
  STAFF,
  templateRegistry,
  UNIT_HEAD,
} from "../helpers.js";

afterAll(() => cleanupTempDirs());

type Rec = {
  id: string;
  step: string | null;
  status: string;
  due: string | null;
  deadline: string | null;
  fields: Record<string, unknown>;
  history: { action: string; approved_by?: string; caller_informed?: boolean }[];
};
let reg: Registry;
beforeAll(() => {
  reg = templateRegistry().template;
});

function run(args: string[], now: string, user = OFFICE) {
  return reg.run(args, { now, user });
}
function ok(args: string[], now: string, user = OFFICE): string {
  const r = run(args, now, user);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
function call(now: string, extra: string[], caller = "张建华", phone = "13812345678"): Rec {
  return JSON.parse(
    ok(["call", "--caller", caller, "--phone", phone, "--matter", "小区路灯损坏", "--json", ...extra], now),
  ) as Rec;
}
const show = (id: string) => JSON.parse(ok(["show", id, "--json"], "2026-12-01T09:00:00+08:00")) as Rec;

describe("citizen calls", () => {
  it.each([
    // Registered Fri 2026-02-13: ordinary = 2 working days (Sat 02-14 works, then the holiday).
    ["2026-02-13T10:00:00+08:00", "ordinary", "2026-02-24"],
    ["2026-02-13T10:00:00+08:00", "immediate", "2026-02-13"],
    // Registered Fri 2026-09-18: complex = 15 working days across National Day.
    ["2026-09-18T10:00:00+08:00", "complex", "2026-10-15"],
  ])("registered %s, %s: due %s", (now, category, due) => {
    const c = call(now, ["--category", category]);
    expect([c.step, c.deadline, c.due]).toEqual(["handle", due, due]);
  });

  it("validates the phone, normalises it, and shows a caller's earlier calls", () => {
    const bad = run(
      ["call", "--caller", "王五", "--phone", "12345", "--matter", "x"],
      "2026-03-02T09:00:00+08:00",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("12345");
    const a = call("2026-03-02T09:00:00+08:00", [], "李秀英", "138 0000 1111");
    expect(a.fields.phone).toBe("13800001111");
    const land = call("2026-03-02T09:05:00+08:00", [], "赵六", "(010) 6234-5678");
    expect(land.fields.phone).toBe("010-62345678");
    const again = run(
      ["call", "--caller", "李秀英", "--phone", "13800001111", "--matter", "再次反映"],
      "2026-03-03T09:00:00+08:00",
    );
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(a.id);
  });

  it("first-inquiry responsibility: the office may handle it until it is transferred; then only the unit", () => {
    const c = call("2026-03-02T10:00:00+08:00", []);
    ok(["route", c.id, "--to", "urban"], "2026-03-02T10:10:00+08:00");
    const count = commitCount(reg.dir);
    const refused = run(["handle", c.id], "2026-03-02T11:00:00+08:00");
    expect(refused.code).toBe(1);
    expect(commitCount(reg.dir)).toBe(count);
    ok(["handle", c.id, "--as", STAFF, "--opinion", "已修复"], "2026-03-03T10:00:00+08:00");
    expect(run(["reply", c.id, "--via", "phone"], "2026-03-03T11:00:00+08:00").code).toBe(2);
    ok(
      ["reply", c.id, "--answer", "路灯已修复", "--via", "phone", "--satisfaction", "satisfied"],
      "2026-03-03T11:00:00+08:00",
    );
    const done = show(c.id);
    expect([done.status, done.fields.unit, done.fields.satisfaction]).toEqual([
      "closed",
      "urban",
      "satisfied",
    ]);
    // Only a dissatisfied caller reopens a matter.
    expect(run(["reopen", c.id, "--reason", "x"], "2026-03-04T09:00:00+08:00").code).toBe(1);
  });

  it("an important matter goes to the party secretary first, and prints a transfer form", () => {
    const c = call("2026-03-02T14:00:00+08:00", ["--important", "--category", "complex"]);
    expect(c.step).toBe("instruct");
    ok(
      ["instruct", c.id, "--as", SECRETARY, "--opinion", "请城管科核实处理", "--to", "urban"],
      "2026-03-02T15:00:00+08:00",
    );
    // Registering an important matter prints its transfer form at once.
    const registered = ok(
      ["call", "--caller", "王芳", "--phone", "13912345678", "--matter", "违建", "--important"],
      "2026-03-02T14:30:00+08:00",
    );
    expect(registered).toContain("来电来访交办单");
    const form = ok(["print", c.id], "2026-03-02T15:10:00+08:00");
    for (const s of [
      "交办单",
      "张建华",
      "13812345678",
      "小区路灯损坏",
      "请城管科核实处理",
      "城市管理科",
      "2026年3月23日",
    ])
      expect(form).toContain(s);
  });

  it("an extension needs the approving leader and --caller-informed", () => {
    const c = call("2026-03-02T09:00:00+08:00", []);
    const count = commitCount(reg.dir);
    const noInform = run(
      ["extend", c.id, "--days", "3", "--approved-by", LEADER, "--reason", "需协调"],
      "2026-03-03T09:00:00+08:00",
    );
    expect(noInform.code).toBe(2);
    expect(noInform.stderr).toContain("--caller-informed");
    const notLeader = run(
      ["extend", c.id, "--days", "3", "--approved-by", UNIT_HEAD, "--reason", "需协调", "--caller-informed"],
      "2026-03-03T09:00:00+08:00",
    );
    expect(notLeader.code).toBe(1);
    expect(commitCount(reg.dir)).toBe(count);
    ok(
      ["extend", c.id, "--days", "3", "--approved-by", LEADER, "--reason", "需协调", "--caller-informed"],
      "2026-03-03T09:00:00+08:00",
    );
    const e = show(c.id);
    expect(e.due).toBe("2026-03-09");
    expect(e.history.at(-1)).toMatchObject({ action: "extend", approved_by: LEADER, caller_informed: true });
  });

  it("a dissatisfied caller reopens the matter: a new round counted from the reopening", () => {
    const c = call("2026-03-02T09:00:00+08:00", []);
    ok(["handle", c.id], "2026-03-02T10:00:00+08:00");
    ok(
      ["reply", c.id, "--answer", "已处理", "--via", "phone", "--satisfaction", "dissatisfied"],
      "2026-03-02T11:00:00+08:00",
    );
    ok(["reopen", c.id, "--reason", "来电人不满意"], "2026-03-05T09:00:00+08:00");
    const r = show(c.id);
    expect([r.status, r.step, r.due]).toEqual(["open", "handle", "2026-03-09"]);
  });

  it("registers mask callers unless --unmask; statistics give on-time rates", () => {
    const masked = ok(
      ["report", "register", "--kind", "call", "--year", "2026", "--format", "csv"],
      "2026-12-01T09:00:00+08:00",
    );
    expect(masked).toContain("张**");
    expect(masked).toContain("138****5678");
    expect(masked).not.toContain("13812345678");
    const full = ok(
      ["report", "register", "--kind", "call", "--year", "2026", "--format", "csv", "--unmask"],
      "2026-12-01T09:00:00+08:00",
    );
    expect(full).toContain("13812345678");
    const stats = json<{ kind: string; group: string; closed: number; on_time_rate: number | null }[]>(
      run(["report", "stats", "--kind", "call", "--json"], "2026-12-01T09:00:00+08:00"),
    );
    const urban = stats.find((s) => s.group === "urban");
    expect(urban?.closed).toBeGreaterThanOrEqual(1);
    expect(urban?.on_time_rate).toBe(100);
  });
});
