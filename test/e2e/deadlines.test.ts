/**
 * Deadlines as clerks and cron see them, through the real bin (exit codes, stdout/stderr): a year
 * without the State Council's notice (provisional, warned everywhere, replaced by the notice), rest
 * days (overdue --check stays silent, same-day limits, extend), and steps that never wait unseen.
 * Fixed clocks only; the calendar years are those the template was made with (chinese-days: to 2026).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
  gitStatus,
  json,
  LEADER,
  OFFICE,
  type Registry,
  receive,
  SECRETARY,
  templateRegistry,
} from "../helpers.js";

afterAll(cleanupTempDirs);

let tpl: ReturnType<typeof templateRegistry>;
beforeAll(() => {
  tpl = templateRegistry();
}, 90_000);

const at = (date: string, time = "09:00") => `${date}T${time}:00+08:00`;
const PROVISIONAL = "2027 has no State Council notice";

interface Rec {
  id: string;
  due: string | null;
  deadline: string | null;
  calendar_warning?: string;
}

function call(reg: Registry, now: string, category: string): Rec {
  const r = reg.run(
    [
      "call",
      "--caller",
      "张建华",
      "--phone",
      "13812345678",
      "--matter",
      "路灯",
      "--category",
      category,
      "--json",
    ],
    { now },
  );
  expect(r.code, r.stderr).toBe(0);
  return { ...json<Rec>(r), stderr: r.stderr } as Rec & { stderr: string };
}

describe("a deadline in 2027, which has no notice in the calendar", () => {
  let reg: Registry;
  let id: string;
  const now = at("2026-12-30");

  beforeAll(() => {
    reg = tpl.copy();
  }, 60_000);

  it("a call registered Wed 2026-12-30 (ordinary, 2 working days) is due Mon 2027-01-04, not on New Year's Day", () => {
    const rec = call(reg, now, "ordinary") as Rec & { stderr: string };
    id = rec.id;
    expect(rec.due).toBe("2027-01-04");
    expect(rec.deadline).toBe("2027-01-04");
    expect(rec.calendar_warning).toContain(PROVISIONAL);
    expect(rec.stderr).toContain(PROVISIONAL);
  });

  it("an outgoing document drafted Tue 12-29 (5 working days) is due Wed 2027-01-06, the overall deadline warned", () => {
    const r = reg.run(["draft", "--title", "年终总结", "--category", "office", "--unit", "urban", "--json"], {
      now: at("2026-12-29"),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(json<Rec>(r)).toMatchObject({ due: "2027-01-06", deadline: "2027-01-06" });
    expect(r.stderr).toContain(PROVISIONAL);
  });

  it("show, list and overdue mark it and say why; --json carries calendar_warning", () => {
    const show = reg.run(["show", id], { now });
    expect(show.stdout).toContain("2027-01-04 (!)");
    expect(show.stderr).toContain(PROVISIONAL);
    expect(json<Rec>(reg.run(["show", id, "--json"], { now })).calendar_warning).toContain(PROVISIONAL);

    const list = reg.run(["list"], { now });
    expect(list.stdout).toMatch(/2027-01-04 \(!\)/);
    expect(list.stderr).toContain(`(!) ${PROVISIONAL}`);
    const rows = json<Rec[]>(reg.run(["list", "--json"], { now }));
    expect(rows.find((x) => x.id === id)?.calendar_warning).toContain(PROVISIONAL);

    const later = at("2027-01-05");
    const overdue = json<(Rec & { days_overdue: number; working_days_overdue: number })[]>(
      reg.run(["overdue", "--json"], { now: later }),
    );
    expect(overdue.find((x) => x.id === id)).toMatchObject({
      due: "2027-01-04",
      days_overdue: 1,
      working_days_overdue: 1,
      calendar_warning: expect.stringContaining(PROVISIONAL),
    });
    const table = reg.run(["overdue"], { now: later });
    expect(table.stdout).toMatch(/2027-01-04 \(!\)/);
  });

  it("egov status on 2027-01-01 says New Year's Day is a day off, provisionally", () => {
    const r = reg.run(["egov", "status", "--date", "2027-01-01", "--json", "--check"], {
      now: at("2027-01-01"),
    });
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({
      date: "2027-01-01",
      working_day: false,
      windows: [],
      calendar_warning: expect.stringContaining("2027-01-01"),
    });
    expect(r.stderr).toContain("day off");
  });

  it("calendar set on 2027 without --create-year: exit 1, says to add it, nothing changed", () => {
    const n = commitCount(reg.dir);
    const r = reg.run(["calendar", "set", "2027-01-04", "--rest", "--name", "停电"], { now });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--create-year");
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("calendar import --help documents the file format with an example", () => {
    const r = reg.run(["calendar", "import", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("year: 2026");
    expect(r.stdout).toMatch(/rest:\n\s+2026-01-01: 元旦/);
    expect(r.stdout).toMatch(/work:\n\s+2026-01-04: 元旦 \(调休上班\)/);
  });

  it("importing the 2027 notice recomputes the due dates in the same commit; the warnings go", () => {
    // An illustrative notice (not the real one): Mon 01-04 also off, Sat 01-09 worked.
    const file = join(reg.sandbox, "2027.yaml");
    writeFileSync(
      file,
      "year: 2027\nsource: test notice\nrest:\n  2027-01-01: 元旦\n  2027-01-02: 元旦\n  2027-01-03: 元旦\n  2027-01-04: 元旦\nwork:\n  2027-01-09: 元旦 (调休上班)\n",
    );
    const n = commitCount(reg.dir);
    const r = reg.run(["calendar", "import", file], { now });
    expect(r.code, r.stderr).toBe(0);
    expect(commitCount(reg.dir)).toBe(n + 1);
    const rec = json<Rec>(reg.run(["show", id, "--json"], { now }));
    expect(rec.due).toBe("2027-01-05");
    expect(rec.calendar_warning).toBeUndefined();
    const check = reg.run(["check"], { now });
    expect(check.stdout).not.toContain("no State Council notice");
  });
});

describe("rest days", () => {
  let reg: Registry;
  let overdueId: string;

  beforeAll(() => {
    reg = tpl.copy();
    // received Fri 02-13: proposing was due that day; it is overdue from Sat 02-14 on
    overdueId = receive(reg, "关于春节期间安全生产的通知", { now: at("2026-02-13") });
  }, 60_000);

  it.each<[string, string, number]>([
    ["a Sunday", "2026-03-08", 0],
    ["a holiday (National Day)", "2026-10-01", 0],
    ["a day of the Spring Festival", "2026-02-17", 0],
    ["the adjusted working Saturday 02-28", "2026-02-28", 3],
    ["a Monday", "2026-03-09", 3],
  ])("overdue --check on %s (%s) exits %i; a rest day prints nothing", (_what, date, code) => {
    const r = reg.run(["overdue", "--check", "--format", "markdown"], { now: at(date, "08:00") });
    expect(r.code).toBe(code);
    if (code === 0) expect([r.stdout, r.stderr]).toEqual(["", ""]);
    else expect(r.stdout).toContain(overdueId);
  });

  it("--even-on-rest-days lists and exits 3 on a Sunday too", () => {
    const r = reg.run(["overdue", "--check", "--even-on-rest-days"], { now: at("2026-03-08", "08:00") });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(overdueId);
  });

  it("an immediate call registered on National Day is due at the end of the next working day", () => {
    expect(call(reg, at("2026-10-03", "10:00"), "immediate").due).toBe("2026-10-08");
    expect(call(reg, at("2026-10-09", "10:00"), "immediate").due).toBe("2026-10-09");
    // Sat 10-10 is an adjusted working day: the same day
    expect(call(reg, at("2026-10-10", "10:00"), "immediate").due).toBe("2026-10-10");
  });

  it("extend --days counts from today when the record is overdue, not from its past due date", () => {
    const r = reg.run(
      ["extend", overdueId, "--days", "1", "--approved-by", LEADER, "--reason", "等待材料", "--json"],
      { now: at("2026-03-05") },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(json<Rec>(r).due).toBe("2026-03-06");
  });

  it("extend --until a rest day ends at the working day before, and says so", () => {
    const r = reg.run(
      [
        "extend",
        overdueId,
        "--until",
        "2026-10-04",
        "--approved-by",
        LEADER,
        "--reason",
        "节后处理",
        "--json",
      ],
      { now: at("2026-03-05") },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(json<Rec>(r).due).toBe("2026-09-30");
    expect(r.stderr).toContain("2026-10-04 is a rest day");
    expect(r.stderr).toContain("2026-09-30");
  });
});

describe("nothing waits unseen", () => {
  it("a normal incoming document is due at proposing and at the instruction, and shows in overdue", () => {
    const reg = tpl.copy();
    const id = receive(reg, "关于做好防汛工作的通知", { now: at("2026-03-05") });
    expect(json<Rec>(reg.run(["show", id, "--json"])).due).toBe("2026-03-05");
    let late = json<Rec[]>(reg.run(["overdue", "--json"], { now: at("2026-03-06") }));
    expect(late.map((x) => x.id)).toEqual([id]);
    const p = reg.run(["propose", id, "--as", OFFICE, "--json"], { now: at("2026-03-06") });
    expect(p.code, p.stderr).toBe(0);
    // the instruction: one working day after Fri 03-06, Mon 03-09
    expect(json<Rec>(p).due).toBe("2026-03-09");
    late = json<Rec[]>(reg.run(["overdue", "--json"], { now: at("2026-03-10") }));
    expect(late.map((x) => x.id)).toEqual([id]);
    const i = reg.run(["instruct", id, "--as", SECRETARY, "--to", "urban", "--json"], {
      now: at("2026-03-10"),
    });
    expect(json<Rec>(i).due).toBe("2026-03-12");
  });
});
