import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
  git,
  gitLog,
  gitStatus,
  json,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  SECRETARY,
  templateRegistry,
  UNIT,
} from "../helpers.js";

/** The working-day calendar: the shipped 2026 Spring Festival, and a local change with `calendar set`. */

interface Day {
  date: string;
  kind: string;
  working: boolean;
  name: string | null;
}

let tpl: ReturnType<typeof templateRegistry>;

beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

afterAll(cleanupTempDirs);

const at = (date: string, time: string) => `${date}T${time}:00+08:00`;

function ok(reg: Registry, args: string[], now: string) {
  const r = reg.run(args, { now });
  if (r.code !== 0) throw new Error(`${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return r;
}

const due = (reg: Registry, id: string, now: string) =>
  json<{ due: string | null }>(ok(reg, ["show", id, "--json"], now)).due;

/** A document whose undertaking (2 working days) starts on `date` at 10:00. */
function atUndertake(reg: Registry, date: string): string {
  const id = receive(reg, `关于${date}的通知`, { now: at(date, "08:30") });
  ok(reg, ["propose", id, "--as", OFFICE], at(date, "09:00"));
  ok(reg, ["instruct", id, "--as", SECRETARY, "--to", UNIT], at(date, "10:00"));
  return id;
}

describe("calendar show", () => {
  it("2026-02 --json marks the adjusted working Saturdays and the Spring Festival", () => {
    const reg = tpl.template;
    const r = reg.run(["calendar", "show", "2026-02", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { month: string; days: Day[] };
    expect(j.month).toBe("2026-02");
    expect(j.days).toHaveLength(28);
    const d = (date: string) => j.days.find((x) => x.date === date);
    expect(d("2026-02-14")).toMatchObject({ kind: "adjusted-workday", working: true });
    expect(d("2026-02-28")).toMatchObject({ kind: "adjusted-workday", working: true });
    expect(d("2026-02-16")).toMatchObject({ kind: "holiday", working: false });
    expect(d("2026-02-23")).toMatchObject({ kind: "holiday", working: false });
    expect(d("2026-02-13")).toMatchObject({ working: true });
    expect(d("2026-02-24")).toMatchObject({ kind: "workday", working: true });
    expect(d("2026-02-08")).toMatchObject({ working: false }); // an ordinary Sunday
    for (let day = 15; day <= 23; day++) expect(d(`2026-02-${day}`)?.working, `2026-02-${day}`).toBe(false);
  });

  it("a malformed month exits 2", () => {
    expect(tpl.template.run(["calendar", "show", "2026-13"]).code).toBe(2);
  });
});

describe("calendar set", () => {
  let reg: Registry;
  let before = "";

  beforeAll(() => {
    reg = tpl.copy();
    before = atUndertake(reg, "2026-04-28");
  }, 60_000);

  it("without a local change, undertaking from Tue 2026-04-28 is due Thu 04-30", () => {
    expect(due(reg, before, at("2026-04-28", "10:00"))).toBe("2026-04-30");
  });

  it("set 2026-04-30 --rest --name 本地停工 commits the calendar and recomputes open due dates", () => {
    const n = commitCount(reg.dir);
    const r = reg.run(["calendar", "set", "2026-04-30", "--rest", "--name", "本地停工"], {
      now: at("2026-04-28", "11:00"),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(commitCount(reg.dir)).toBe(n + 1);
    expect(gitStatus(reg.dir)).toBe("");
    const [c] = gitLog(reg.dir);
    expect(c?.trailers["Office-Doc-Action"]).toBe("calendar-set");
    const files = git(reg.dir, ["show", "--name-only", "--format=", "HEAD"]).trim().split("\n").sort();
    expect(files).toEqual(["calendar/2026.yaml", recordPath(before)].sort());
    expect(reg.read("calendar/2026.yaml")).toMatch(/2026-04-30.*本地停工/);
    const month = json<{ days: Day[] }>(
      ok(reg, ["calendar", "show", "2026-04", "--json"], at("2026-04-28", "11:00")),
    );
    expect(month.days.find((x) => x.date === "2026-04-30")).toMatchObject({
      working: false,
      name: "本地停工",
    });
  });

  it("a deadline across that day moves: the open record is recomputed", () => {
    // 04-29 is the first working day; 04-30 is now off, 05-01..05-05 is Labour Day.
    expect(due(reg, before, at("2026-04-28", "11:00"))).toBe("2026-05-06");
  });

  it("and a deadline computed after the change counts it too", () => {
    const after = atUndertake(reg, "2026-04-29");
    // 04-30 off, Labour Day, then 05-06 and 05-07.
    expect(due(reg, after, at("2026-04-29", "10:00"))).toBe("2026-05-07");
  });

  it("check still passes after the calendar change", () => {
    const r = reg.run(["check"], { now: at("2026-04-29", "12:00") });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("--rest together with --work, or a bad date, exits 2 and changes nothing", () => {
    const n = commitCount(reg.dir);
    expect(reg.run(["calendar", "set", "2026-05-08", "--rest", "--work"]).code).toBe(2);
    expect(reg.run(["calendar", "set", "2026-02-30", "--rest"]).code).toBe(2);
    expect(reg.run(["calendar", "set", "2026-05-08"]).code).toBe(2);
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("a reversed range exits 2 naming it, also with --create-year; nothing written", () => {
    const n = commitCount(reg.dir);
    for (const args of [
      ["calendar", "set", "2026-03-10..2026-03-01", "--rest", "--name", "x"],
      ["calendar", "set", "2027-02-10..2027-02-01", "--rest", "--name", "x", "--create-year"],
    ]) {
      const r = reg.run(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${args[2]}: the range ends before it starts`);
    }
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("setting days to what they already are commits nothing and says so (exit 0)", () => {
    const n = commitCount(reg.dir);
    const text = reg.read("calendar/2026.yaml");
    for (const args of [
      ["calendar", "set", "2026-03-10", "--clear"],
      ["calendar", "set", "2026-04-30", "--rest", "--name", "本地停工"],
      ["calendar", "set", "2026-10-01..2026-10-03", "--rest", "--name", "国庆节 National Day"],
    ]) {
      const r = reg.run(args, { now: at("2026-04-29", "12:00") });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("calendar 2026: nothing changed");
    }
    const imported = reg.run(["calendar", "import", join(reg.dir, "calendar/2026.yaml")]);
    expect(imported.stderr).toContain("nothing changed");
    expect(commitCount(reg.dir)).toBe(n);
    expect(reg.read("calendar/2026.yaml")).toBe(text);
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("a year the calendar does not cover is refused (exit 1) without --create-year", () => {
    const n = commitCount(reg.dir);
    expect(reg.run(["calendar", "set", "2031-05-08", "--rest"]).code).toBe(1);
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
  });
});
