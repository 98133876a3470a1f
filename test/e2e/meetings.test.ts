import ical from "node-ical";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitByHand,
  commitCount,
  git,
  json,
  LEADER,
  LEADER2,
  OFFICE,
  type Registry,
  repoState,
  STAFF,
  templateRegistry,
  UNIT_HEAD,
} from "../helpers.js";

/**
 * Meetings and supervised tasks end to end (issue 16), commands run in-process against a temp
 * registry with fixed clocks: the agenda cutoff across the adjusted working Saturday of Feb 28 and
 * National Day, room clashes and seats, a weekly series, the leaders' opinions, the notice, replies,
 * the checklist, sign-in and absences, decisions that become tasks in the wrap-up's commit, the
 * week's calendar, the iCalendar file parsed back by node-ical, attendance statistics.
 */

const HEAD = "yu-kai";
const t = (day: string, hm: string) => `${day}T${hm}:00+08:00`;

type Rec = {
  id: string;
  step: string | null;
  status: string;
  due: string | null;
  holders: string[];
  fields: Record<string, unknown>;
  details?: Record<string, unknown>;
  history: { action: string; step?: string; reason?: string }[];
};

let reg: Registry;
beforeAll(() => {
  reg = templateRegistry().template;
  const add = reg.run(["person", "add", HEAD, "--name", "于凯", "--roles", "office-head,office"]);
  expect(add.code, add.stderr).toBe(0);
  // A small room besides the template's three, for the seats check.
  const office = reg
    .read("office.yaml")
    .replace("  checklist:", "    tiny: { name: 小会议室, capacity: 2 }\n  checklist:");
  commitByHand(reg, { "office.yaml": office });
});
afterAll(cleanupTempDirs);

const run = (args: string[], now: string, user = OFFICE) => reg.run(args, { now, user });
function ok(args: string[], now: string, user = OFFICE) {
  const r = run(args, now, user);
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
}
const rec = (args: string[], now: string, user = OFFICE) => json<Rec>(ok([...args, "--json"], now, user));
const show = (id: string) => rec(["show", id], t("2026-03-02", "08:00"));

const request = (start: string, more: string[] = [], place = "room-1") => [
  "meeting",
  "request",
  "--title",
  "主任办公会",
  "--start",
  start,
  "--place",
  place,
  "--scope",
  `urban,${LEADER}`,
  "--content",
  "研究近期重点工作",
  "--unit",
  "urban",
  ...more,
];

/** A refused command changes nothing: HEAD and the work tree as before. */
function refusedWith(args: string[], now: string, code: number, ...texts: string[]) {
  const before = repoState(reg.dir);
  const r = run(args, now);
  expect(r.code, r.stderr).toBe(code);
  for (const x of texts) expect(r.stderr).toContain(x);
  expect(repoState(reg.dir)).toEqual(before);
  return r;
}

describe("requests: the cutoff, rooms and seats", () => {
  it("a Monday 03-02 meeting requested on Friday 02-27: two hours by default, replies by Saturday 02-28", () => {
    const m = rec(request("2026-03-02 09:00"), t("2026-02-27", "17:30"));
    expect(m).toMatchObject({ id: "MTG-2026-0001", step: "review", due: "2026-02-28" });
    expect(m.fields).toMatchObject({
      start: t("2026-03-02", "09:00"),
      end: t("2026-03-02", "11:00"),
      place: "room-1",
      reply_by: "2026-02-28",
    });
  });

  it("on the adjusted working Saturday 02-28 it is too late (exit 1, nothing written) unless a leader approves", () => {
    refusedWith(request("2026-03-02 14:00"), t("2026-02-28", "09:00"), 1, "2026-02-27", "--late-approved-by");
    refusedWith(
      request("2026-03-02 14:00", ["--late-approved-by", STAFF]),
      t("2026-02-28", "09:00"),
      1,
      "钱芳",
    );
    const r = ok(request("2026-03-02 14:00", ["--late-approved-by", LEADER]), t("2026-02-28", "09:00"));
    expect(r.stderr).toContain("周强");
    expect(r.stdout).toContain("MTG-2026-0002");
    // A request received on paper on Friday and entered on Saturday keeps its day (--at).
    ok(request("2026-03-02 16:30", ["--at", "2026-02-27 16:00"]), t("2026-02-28", "09:00"));
  });

  it("an end before the start is bad input (exit 2); so is a malformed time", () => {
    refusedWith(
      request("2026-03-09 10:00", ["--end", "2026-03-09 09:00"]),
      t("2026-03-02", "09:00"),
      2,
      "09:00",
    );
    refusedWith(request("2026-03-09 25:00"), t("2026-03-02", "09:00"), 2, "--start");
  });

  it("a clash names the meeting, its convener, its times and the free rooms; another room is fine", () => {
    const r = refusedWith(
      request("2026-03-02 10:00", [], "第一会议室"),
      t("2026-02-26", "09:00"),
      1,
      "MTG-2026-0001",
      "主任办公会",
      "城市管理科",
      "2026-03-02 09:00–11:00",
      "第二会议室 (12)",
      "大会议室 (80)",
    );
    expect(r.stderr).not.toContain("小会议室");
    const other = rec(request("2026-03-02 10:00", [], "第二会议室"), t("2026-02-26", "09:00"));
    expect(other.fields.place).toBe("room-2");
  });

  it("participants that outnumber the seats are refused: a unit counts its members", () => {
    // urban (2 people) and a leader: 3 for 2 seats.
    refusedWith(request("2026-03-03 09:00", [], "tiny"), t("2026-02-26", "09:00"), 1, "小会议室", "3");
  });

  it("an outside venue is taken as typed, with a warning, and not booked", () => {
    const r = ok(request("2026-03-02 09:30", [], "区政府三楼会议室"), t("2026-02-26", "09:00"));
    expect(r.stderr).toContain("区政府三楼会议室");
  });
});

describe("a weekly series across National Day", () => {
  it("is one commit of one record a week, leaving out the holiday's week", () => {
    const before = commitCount(reg.dir);
    const r = ok(
      request(
        "2026-09-21 08:30",
        ["--end", "2026-09-21 10:00", "--repeat", "weekly", "--until", "2026-10-19", "--json"],
        "hall",
      ),
      t("2026-09-17", "09:00"),
    );
    const made = JSON.parse(r.stdout) as Rec[];
    expect(made.map((m) => m.fields.start)).toEqual([
      t("2026-09-21", "08:30"),
      t("2026-09-28", "08:30"),
      t("2026-10-12", "08:30"),
      t("2026-10-19", "08:30"),
    ]);
    expect(new Set(made.map((m) => m.fields.series))).toEqual(new Set([made[0]?.id]));
    // Reply by the working day before each: Saturday 10-10 works.
    expect(made[2]?.fields.reply_by).toBe("2026-10-10");
    expect(r.stderr).toContain("2026-10-05");
    expect(commitCount(reg.dir)).toBe(before + 1);
    const trailers = git(reg.dir, ["log", "-1", "--format=%(trailers:key=Office-Doc-Record,valueonly)"]);
    expect(trailers).toContain(made.map((m) => m.id).join(", "));
  });

  it("one occurrence that cannot be booked refuses the whole series, naming its day", () => {
    ok(
      request("2026-09-29 09:00", ["--repeat", "weekly", "--until", "2026-10-20"], "hall"),
      t("2026-09-17", "09:00"),
    );
    refusedWith(
      request("2026-10-12 09:00", ["--repeat", "weekly", "--until", "2026-10-26"], "hall"),
      t("2026-09-17", "10:00"),
      1,
      "2026-10-12",
      "08:30–10:00",
    );
  });

  it("--repeat and --until go together (exit 2)", () => {
    refusedWith(request("2026-11-02 09:00", ["--repeat", "weekly"]), t("2026-10-20", "09:00"), 2, "--until");
    refusedWith(
      request("2026-11-02 09:00", ["--repeat", "daily", "--until", "2026-11-30"]),
      t("2026-10-20", "09:00"),
      2,
      "weekly",
    );
  });
});

describe("MTG-1 from review to wrap-up", () => {
  const id = "MTG-2026-0001";
  const day = "2026-02-27";

  it("the office asks the leaders; each answers with sign --opinion; only the office head closes early", () => {
    ok(["route", id, "--to", `${LEADER},${LEADER2}`], t(day, "17:40"));
    const one = rec(["sign", id, "--opinion", "同意"], t(day, "17:50"), LEADER);
    expect(one).toMatchObject({ step: "review", holders: [LEADER2] });
    refusedWith(["meeting", "close-review", id, "--reason", "时间紧"], t(day, "18:00"), 1, "office-head");
    refusedWith(["meeting", "close-review", id], t(day, "18:00"), 2, "--reason");
    const closed = rec(
      ["meeting", "close-review", id, "--reason", "郑华出差，意见征求结束"],
      t(day, "18:00"),
      HEAD,
    );
    expect(closed.step).toBe("approve");
    expect(closed.history.at(-1)).toMatchObject({
      action: "skip",
      step: "review",
      reason: "郑华出差，意见征求结束",
    });
    expect(rec(["approve", id, "--opinion", "同意召开"], t(day, "18:10"), HEAD)).toMatchObject({
      step: "prepare",
    });
  });

  it("print renders the notice: time, place, scope, content, reply-by, in Markdown and HTML", () => {
    const md = ok(["print", id], t(day, "18:20")).stdout;
    expect(md).toContain("会议通知");
    expect(md).toContain("| 会议时间 | 2026年3月2日（星期一）09:00—11:00 |");
    expect(md).toContain("| 会议地点 | 第一会议室 |");
    expect(md).toContain("| 参会范围 | 城市管理科、周强（应到 3 人） |");
    expect(md).toContain("| 会议内容 | 研究近期重点工作 |");
    expect(md).toContain("| 回执截止 | 2026年2月28日 |");
    const html = ok(["print", id, "--html"], t(day, "18:20")).stdout;
    expect(html).toContain("<th>会议时间</th><td>2026年3月2日（星期一）09:00—11:00</td>");
  });

  it("replies are recorded (a clerk with --as) and show lists who has not replied", () => {
    ok(["meeting", "reply", id, "leave", "--reason", "参加区培训", "--as", STAFF], t("2026-02-28", "09:00"));
    ok(["meeting", "reply", id, "attend"], t("2026-02-28", "09:10"), UNIT_HEAD);
    refusedWith(["meeting", "reply", id, "attend", "--as", "he-min"], t("2026-02-28", "09:20"), 1, "何敏");
    refusedWith(["meeting", "reply", id, "substitute", "--as", LEADER], t("2026-02-28", "09:20"), 2, "--by");
    const m = show(id);
    expect(m.details?.not_replied).toEqual([{ id: LEADER }]);
    const zh = ok(["--lang", "zh-CN", "show", id], t("2026-02-28", "09:30")).stdout;
    expect(zh).toContain("未回执: 周强");
    expect(zh).toContain("回执: 钱芳 请假 参加区培训; 赵磊 参会");
  });

  it("the check completes only when every item of office.yaml's checklist is ok", () => {
    ok(["prepare", id], t("2026-02-28", "10:00"));
    const a = ok(
      ["meeting", "check", id, "--item", "seating=ok", "--item", "sound=problem", "--note", "话筒电池不足"],
      t("2026-03-02", "08:00"),
    );
    expect(a.stderr).toContain("1 of 7");
    const m = show(id);
    expect(m.step).toBe("check");
    expect(m.fields.checklist).toEqual([
      { item: "seating", state: "ok" },
      { item: "sound", state: "problem", note: "话筒电池不足" },
    ]);
    // `sign` cannot pass the check by itself.
    refusedWith(["sign", id], t("2026-03-02", "08:05"), 1, "音响设备");
    refusedWith(["meeting", "check", id, "--item", "wifi=ok"], t("2026-03-02", "08:05"), 2, "seat-signs");
    refusedWith(["meeting", "check", id, "--item", "sound=fine"], t("2026-03-02", "08:05"), 2, "ok, problem");
    const all = ["seat-signs", "lighting", "sound", "water", "sanitation", "领导席卡"].flatMap((i) => [
      "--item",
      `${i}=ok`,
    ]);
    const done = rec(["meeting", "check", id, "--item", "emblem=ok", ...all], t("2026-03-02", "08:20"));
    expect(done.step).toBe("sign-in");
  });

  it("sign-in: who was present and who absent; show and the message report absences", () => {
    refusedWith(["sign-in", id], t("2026-03-02", "09:00"), 2, "present");
    const r = ok(["meeting", "attend", id, "--present", `${UNIT_HEAD},${LEADER}`], t("2026-03-02", "09:05"));
    expect(r.stderr).toContain("present 2 of 3");
    expect(r.stderr).toContain("on leave 1");
    const m = show(id);
    expect(m.step).toBe("wrap-up");
    expect(m.details).toMatchObject({
      excused: [{ id: STAFF, note: "参加区培训" }],
      unexcused: [],
      substituted: [],
    });
    refusedWith(["meeting", "reply", id, "attend"], t("2026-03-02", "09:10"), 1, "sign-in");
  });

  it("wrap-up: each decision becomes a supervised task, in the same commit", () => {
    refusedWith(
      ["meeting", "wrap-up", id, "--decision", "a", "--assign", "urban"],
      t("2026-03-02", "15:00"),
      2,
      "--due",
    );
    refusedWith(
      ["meeting", "wrap-up", id, "--decision", "a", "--assign", "nowhere", "--due", "2026-03-20"],
      t("2026-03-02", "15:00"),
      2,
      "nowhere",
    );
    refusedWith(
      ["meeting", "wrap-up", id, "--decision", "a", "--assign", "urban", "--due", "2026-02-20"],
      t("2026-03-02", "15:00"),
      2,
      "2026-02-20",
    );
    const before = commitCount(reg.dir);
    const out = json<Rec[]>(
      ok(
        [
          "meeting",
          "wrap-up",
          id,
          "--cleanup",
          "会场已清理",
          "--decision",
          "完成辖区消防通道整治",
          "--assign",
          "urban",
          "--due",
          "2026-03-20",
          "--decision",
          "报送春季绿化方案",
          "--assign",
          "urban",
          "--due",
          "2026-03-13",
          "--json",
        ],
        t("2026-03-02", "15:00"),
      ),
    );
    expect(commitCount(reg.dir)).toBe(before + 1);
    const [meeting, task1, task2] = out;
    expect(meeting).toMatchObject({ status: "closed" });
    expect(meeting?.fields.decisions).toEqual([
      { text: "完成辖区消防通道整治", unit: "urban", due: "2026-03-20", task: "TASK-2026-0001" },
      { text: "报送春季绿化方案", unit: "urban", due: "2026-03-13", task: "TASK-2026-0002" },
    ]);
    expect(task1).toMatchObject({
      id: "TASK-2026-0001",
      step: "undertake",
      holders: ["urban"],
      due: "2026-03-20",
      fields: { unit: "urban", due_date: "2026-03-20", category: "meeting-decision", source: id },
    });
    expect(task2?.due).toBe("2026-03-13");
    // The history in each file and the git log tell the same story.
    expect(run(["check"], t("2026-03-02", "15:10")).code).toBe(0);
    const log = json<{ action: string }[]>(ok(["log", "TASK-2026-0001", "--json"], t("2026-03-02", "15:10")));
    expect(log.map((e) => e.action)).toEqual(["assign"]);
    const mlog = json<{ action: string }[]>(ok(["log", id, "--json"], t("2026-03-02", "15:10")));
    expect(mlog.at(-1)?.action).toBe("sign");
  });

  it("the task: undertaken by a member of the lead unit, the office records the result", () => {
    refusedWith(["undertake", "TASK-2026-0001"], t("2026-03-10", "09:00"), 1, "城市管理科");
    expect(
      rec(["undertake", "TASK-2026-0001", "--opinion", "已整治"], t("2026-03-10", "09:00"), STAFF),
    ).toMatchObject({
      step: "feedback",
    });
    refusedWith(["feedback", "TASK-2026-0001"], t("2026-03-10", "10:00"), 2, "--result");
    expect(
      rec(["feedback", "TASK-2026-0001", "--result", "消防通道已全部畅通"], t("2026-03-10", "10:00")),
    ).toMatchObject({
      status: "closed",
    });
    // By hand too: `task --title … --unit … --due …`.
    const h = rec(
      [
        "task",
        "--title",
        "老旧小区路灯整修",
        "--unit",
        "urban",
        "--due",
        "2026-03-31",
        "--category",
        "hot-issue",
        "--source",
        "CALL-2026-0001",
      ],
      t("2026-03-10", "11:00"),
    );
    expect(h).toMatchObject({ step: "undertake", due: "2026-03-31", fields: { category: "hot-issue" } });
    refusedWith(
      ["task", "--title", "x", "--unit", "urban", "--due", "2026-03-31", "--category", "misc"],
      t("2026-03-10", "11:00"),
      2,
      "--category",
    );
  });
});

describe("the calendar, the iCalendar file and the statistics", () => {
  it("meeting calendar lists the week's bookings with their state", () => {
    const w = json<{
      week: { from: string; to: string };
      bookings: { id: string; state: string; place: string }[];
    }>(ok(["meeting", "calendar", "--week", "2026-03-04", "--json"], t("2026-03-02", "15:20")));
    expect(w.week).toEqual({ from: "2026-03-02", to: "2026-03-08" });
    expect(w.bookings.map((b) => [b.id, b.state, b.place])).toEqual([
      ["MTG-2026-0001", "held", "第一会议室"],
      ["MTG-2026-0005", "pending", "区政府三楼会议室"],
      ["MTG-2026-0004", "pending", "第二会议室"],
      ["MTG-2026-0002", "pending", "第一会议室"],
      ["MTG-2026-0003", "pending", "第一会议室"],
    ]);
    const zh = ok(
      ["--lang", "zh-CN", "meeting", "calendar", "--week", "2026-02-28"],
      t("2026-03-02", "15:20"),
    ).stdout;
    expect(zh).toContain("2026-02-23 至 2026-03-01 会议安排");
    // An empty week points to the next meeting.
    const empty = ok(["meeting", "calendar", "--week", "2026-02-18"], t("2026-03-02", "15:20"));
    expect(empty.stderr).toContain("MTG-2026-0005");
    expect(empty.stderr).toContain("--week 2026-03-02");
  });

  it("meeting ics: approved meetings in the office's zone, a withdrawn one CANCELLED with the same UID", () => {
    // MTG-2 approved, then withdrawn; MTG-3 approved.
    for (const m of ["MTG-2026-0002", "MTG-2026-0003"]) {
      ok(["review", m], t("2026-03-01", "09:00"));
      ok(["approve", m], t("2026-03-01", "09:10"), HEAD);
    }
    const first = ok(["meeting", "ics", "--from", "2026-03-01"], t("2026-03-01", "09:20")).stdout;
    ok(["withdraw", "MTG-2026-0002", "--reason", "改期"], t("2026-03-01", "10:00"), HEAD);
    const out = `${reg.sandbox}/meetings.ics`;
    ok(["meeting", "ics", "--from", "2026-03-01", "--out", out], t("2026-03-01", "10:10"));
    const text = reg.read("../meetings.ics");
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(text).toContain("DTSTART;TZID=Asia/Shanghai:20260302T090000");
    expect(text).toMatch(/DTSTAMP:\d{8}T\d{6}Z/);
    const before = Object.values(ical.sync.parseICS(first)).filter((x) => x?.type === "VEVENT");
    const after = Object.values(ical.sync.parseICS(text)).filter(
      (x) => x?.type === "VEVENT",
    ) as ical.VEvent[];
    const by = (uid: string) => after.find((e) => e.uid === uid) as ical.VEvent;
    expect(after.map((e) => e.uid).sort()).toEqual(before.map((e) => (e as ical.VEvent).uid).sort());
    const held = by("MTG-2026-0001.Z001@office-doc");
    expect(held.start.toISOString()).toBe("2026-03-02T01:00:00.000Z");
    expect(held.end?.toISOString()).toBe("2026-03-02T03:00:00.000Z");
    expect((held.start as Date & { tz?: string }).tz).toBe("Asia/Shanghai");
    expect(held.summary).toBe("主任办公会");
    expect(held.location).toBe("第一会议室");
    expect(held.status).toBe("CONFIRMED");
    const gone = by("MTG-2026-0002.Z001@office-doc");
    expect(gone.status).toBe("CANCELLED");
    const was = before.find((e) => (e as ical.VEvent).uid === gone.uid) as ical.VEvent;
    expect(Number(gone.sequence)).toBeGreaterThan(Number(was.sequence));
    expect(by("MTG-2026-0003.Z001@office-doc").status).toBe("CONFIRMED");
    // A pending meeting is not in the feed; --person keeps that person's meetings.
    expect(after.some((e) => e.uid.startsWith("MTG-2026-0004"))).toBe(false);
    const mine = ok(
      ["meeting", "ics", "--from", "2026-03-01", "--person", "sun-hongbin"],
      t("2026-03-01", "10:10"),
    ).stdout;
    expect(Object.values(ical.sync.parseICS(mine)).filter((x) => x?.type === "VEVENT")).toHaveLength(0);
    refusedWith(["meeting", "ics", "--person", "nobody"], t("2026-03-01", "10:10"), 2, "nobody");
  });

  it("report meetings: attendance rate per person and unit", () => {
    const r = json<{
      meetings: string[];
      people: { id: string; expected: number; present: number; excused: number; rate: number }[];
      units: { id: string; expected: number; present: number; rate: number }[];
    }>(
      ok(
        ["report", "meetings", "--from", "2026-03-01", "--to", "2026-03-31", "--json"],
        t("2026-03-31", "17:00"),
      ),
    );
    expect(r.meetings).toEqual(["MTG-2026-0001"]);
    expect(r.people.map((p) => [p.id, p.expected, p.present, p.excused, p.rate])).toEqual([
      [LEADER, 1, 1, 0, 100],
      [STAFF, 1, 0, 1, 0],
      [UNIT_HEAD, 1, 1, 0, 100],
    ]);
    expect(r.units.find((u) => u.id === "urban")).toMatchObject({ expected: 2, present: 1, rate: 50 });
    const csv = ok(
      ["report", "meetings", "--by", "unit", "--format", "csv", "--from", "2026-03-01"],
      t("2026-03-31", "17:00"),
    ).stdout;
    expect(csv.split("\r\n")[0]).toContain("Attendance rate (%)");
    refusedWith(["report", "meetings", "--by", "room"], t("2026-03-31", "17:00"), 2, "person, unit");
  });
});

describe("the real bin", () => {
  it("with stdin closed, a request missing its values names them all (exit 2) in Chinese", () => {
    const r = reg.runBin(["--lang", "zh-CN", "meeting", "request", "--title", "x"], {
      now: t("2026-03-02", "09:00"),
    });
    expect(r.code).toBe(2);
    for (const o of ["--start", "--place", "--scope", "--content", "--unit"]) expect(r.stderr).toContain(o);
    expect(r.stderr).toContain("错误");
  });
});
