import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ActionContext, createRecord, sign } from "../../src/core/engine.js";
import type { GuardInput, Peers } from "../../src/core/hooks.js";
import {
  attendanceOf,
  attendanceReport,
  feedEvents,
  MEETING_GUARDS,
  meetingCutoff,
  meetingRoom,
  meetingSettings,
  percent,
  recordChecks,
  replyBy,
  replyToNotice,
  requestCutoff,
  scopePeople,
  weekBookings,
  weeklySeries,
  weekStart,
} from "../../src/core/kinds/meeting.js";
import { DEFAULT_ROLES, type OfficeConfig, type Person, type RecordDoc } from "../../src/core/model.js";
import { validateOffice } from "../../src/core/office.js";
import { OfficeError } from "../../src/core/problems.js";
import { summarize } from "../../src/core/record.js";
import { validateWorkflow, type WorkflowDef } from "../../src/core/workflow.js";
import { at, CALENDAR, makeOffice, P, rawTemplate, TZ } from "./fixtures.js";

/**
 * The meeting kind's rules (src/core/kinds/meeting.ts) on the real 2026 calendar: the agenda cutoff
 * (DESIGN.md's counting rule across the adjusted working Saturday of Feb 28 and National Day), room
 * clashes and seats, weekly series across the October holiday, replies, the checklist, attendance,
 * the iCalendar events and the attendance rates.
 */

const HEAD: Person = { id: "yu-kai", name: "于凯", roles: ["office-head", "office"] };
const office: OfficeConfig = {
  ...makeOffice(),
  people: [...makeOffice().people, HEAD],
  meetings: {
    rooms: [
      { id: "room-1", name: "第一会议室", capacity: 20 },
      { id: "room-2", name: "第二会议室", capacity: 3 },
    ],
    checklist: [
      { id: "seating", label: { en: "Seating", "zh-CN": "座位安排" } },
      { id: "sound", label: { en: "Sound", "zh-CN": "音响设备" } },
    ],
    request_days_before: 2,
    reply_days_before: 1,
  },
};

function meetingWorkflow(): WorkflowDef {
  const r = validateWorkflow(
    rawTemplate("meeting"),
    "meeting",
    DEFAULT_ROLES.map((x) => x.id),
  );
  if (!r.value) throw new Error(JSON.stringify(r.problems));
  return r.value;
}
const wf = meetingWorkflow();
const NO_PEERS: Peers = { open: () => [], all: () => [] };

const ctx = (actor: Person, now: string, peers: Peers = NO_PEERS): ActionContext => ({
  office,
  wf,
  calendar: CALENDAR,
  now: at(now),
  actor,
  recorder: P.clerk,
  hooks: { guards: MEETING_GUARDS, forms: {} },
  peers,
});

/** A meeting requested at `requested` (by the clerk), its fields `f` over the defaults. */
function request(
  id: string,
  requested: string,
  f: Record<string, unknown>,
  peers: Peers = NO_PEERS,
): RecordDoc {
  return createRecord(
    ctx(P.clerk, requested, peers),
    id,
    "主任办公会",
    {
      start: "2026-03-04T09:00:00+08:00",
      end: "2026-03-04T11:00:00+08:00",
      place: "room-1",
      scope: ["urban", "zhou-qiang"],
      content: "研究工作",
      unit: "urban",
      ...f,
    },
    at(requested),
  ).record;
}
const peersOf = (...recs: RecordDoc[]): Peers => {
  const s = recs.map((r) => summarize(r, wf));
  return { open: () => s.filter((x) => x.status === "open"), all: () => s };
};
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof OfficeError) return `${e.kind}:${e.code}`;
    throw e;
  }
  return undefined;
};

describe("the agenda cutoff (end of the 2nd working day before the meeting day)", () => {
  it.each([
    // Monday after the adjusted working Saturday: Sat 02-28 counts, so Friday 02-27.
    ["2026-03-02", "2026-02-27"],
    // Tuesday after the Spring Festival rest (Feb 15-23): Sat 02-14 works, so Fri 02-13.
    ["2026-02-24", "2026-02-13"],
    // Tuesday 09-22: Sunday 09-20 is an adjusted working day.
    ["2026-09-22", "2026-09-20"],
    // Thursday 10-08, in the National Day rest (Oct 1-7): Tuesday 09-29.
    ["2026-10-08", "2026-09-29"],
    // Monday 10-12: Saturday 10-10 works, so Friday 10-09.
    ["2026-10-12", "2026-10-09"],
    // Across the year boundary (2027 provisional: New Year's Day Friday).
    ["2027-01-04", "2026-12-30"],
  ])("a meeting on %s is requested by the end of %s", (day, cutoff) => {
    expect(requestCutoff(CALENDAR, day, 2)).toBe(cutoff);
  });

  it.each([
    ["2026-02-27T23:59:00+08:00", undefined],
    ["2026-02-28T08:00:00+08:00", "refused:meeting.too-late"],
    ["2026-03-01T10:00:00+08:00", "refused:meeting.too-late"],
  ])("a request made at %s for Monday 03-02: %s", (when, code) => {
    expect(
      codeOf(() =>
        request("MTG-2026-0001", when, {
          start: "2026-03-02T09:00:00+08:00",
          end: "2026-03-02T10:00:00+08:00",
        }),
      ),
    ).toBe(code);
  });

  it("a leader's late approval lets it through with a warning; anyone else's does not", () => {
    const late = { start: "2026-03-02T09:00:00+08:00", end: "2026-03-02T10:00:00+08:00" };
    const r = createRecord(
      ctx(P.clerk, "2026-02-28T09:00:00+08:00"),
      "MTG-2026-0001",
      "t",
      {
        ...late,
        place: "外部会场",
        scope: ["urban"],
        content: "c",
        unit: "urban",
        late_approved_by: "zhou-qiang",
      },
      at("2026-02-28T09:00:00+08:00"),
    );
    expect(r.notices?.map((n) => n.code)).toEqual(["meeting.late-approved"]);
    expect(
      codeOf(() =>
        request("MTG-2026-0002", "2026-02-28T09:00:00+08:00", { ...late, late_approved_by: "qian-fang" }),
      ),
    ).toBe("refused:meeting.late-approver-not-leader");
  });

  it("the request's own time counts (registered with --at), not the clerk's typing time", () => {
    const input = (created: string) =>
      ({
        event: "create",
        record: { created, fields: { start: "2026-03-02T09:00:00+08:00" } } as unknown as RecordDoc,
        office,
        calendar: CALENDAR,
        now: at("2026-03-02T08:00:00+08:00"),
        peers: NO_PEERS,
      }) as GuardInput;
    expect(meetingCutoff(input("2026-02-27T17:00:00+08:00"))).toBeUndefined();
    expect(() => meetingCutoff(input("2026-02-28T09:00:00+08:00"))).toThrow(OfficeError);
  });

  it("the reply-by day is the working day before the meeting day, not before the request", () => {
    expect(replyBy(CALENDAR, "2026-03-02", "2026-02-20", 1)).toBe("2026-02-28");
    expect(replyBy(CALENDAR, "2026-10-08", "2026-09-20", 1)).toBe("2026-09-30");
    expect(replyBy(CALENDAR, "2026-03-04", "2026-03-04", 1)).toBe("2026-03-04");
  });

  it("an end not after the start is bad input (exit 2)", () => {
    expect(
      codeOf(() =>
        request("MTG-2026-0001", "2026-02-20T09:00:00+08:00", { end: "2026-03-04T08:00:00+08:00" }),
      ),
    ).toBe("usage:meeting.end-before-start");
    expect(
      codeOf(() =>
        request("MTG-2026-0001", "2026-02-20T09:00:00+08:00", { end: "2026-03-04T09:00:00+08:00" }),
      ),
    ).toBe("usage:meeting.end-before-start");
  });
});

describe("rooms: no double booking, enough seats", () => {
  const first = request("MTG-2026-0001", "2026-02-20T09:00:00+08:00", {});
  it.each([
    ["09:00", "11:00", "room-1", "refused:meeting.room-taken"],
    ["10:59", "12:00", "room-1", "refused:meeting.room-taken"],
    ["08:00", "09:01", "第一会议室", "refused:meeting.room-taken"],
    // Half-open: a meeting may start as the other ends, or end as it starts.
    ["11:00", "12:00", "room-1", undefined],
    ["07:00", "09:00", "room-1", undefined],
    ["09:00", "11:00", "外部会场", undefined],
  ])("%s–%s in %s: %s", (s, e, place, code) => {
    expect(
      codeOf(() =>
        request(
          "MTG-2026-0002",
          "2026-02-20T10:00:00+08:00",
          { start: `2026-03-04T${s}:00+08:00`, end: `2026-03-04T${e}:00+08:00`, place },
          peersOf(first),
        ),
      ),
    ).toBe(code);
  });

  it("the refusal names the meeting, its convener, its times and the rooms free then", () => {
    try {
      request("MTG-2026-0002", "2026-02-20T10:00:00+08:00", { scope: ["zhou-qiang"] }, peersOf(first));
      expect.unreachable();
    } catch (e) {
      expect((e as OfficeError).params).toMatchObject({
        id: "MTG-2026-0001",
        title: "主任办公会",
        unit: "城管科",
        time: "2026-03-04 09:00–11:00",
        free: "第二会议室 (3)",
      });
    }
  });

  it("a closed (withdrawn, held) meeting no longer holds the room", () => {
    const closed = { ...first, status: "closed" as const, step: null };
    expect(codeOf(() => request("MTG-2026-0002", "2026-02-20T10:00:00+08:00", {}, peersOf(closed)))).toBe(
      undefined,
    );
  });

  it("units count their members: three people and a unit of two outnumber a room of three", () => {
    expect(scopePeople(office, ["urban", "zhou-qiang", "zhao-lei"])).toEqual([
      "zhao-lei",
      "qian-fang",
      "zhou-qiang",
    ]);
    expect(
      codeOf(() =>
        request("MTG-2026-0001", "2026-02-20T09:00:00+08:00", {
          place: "room-2",
          scope: ["urban", "civil", "zhou-qiang"],
        }),
      ),
    ).toBe("refused:meeting.room-too-small");
    expect(
      codeOf(() =>
        request("MTG-2026-0001", "2026-02-20T09:00:00+08:00", {
          place: "room-2",
          scope: ["urban", "zhou-qiang"],
        }),
      ),
    ).toBe(undefined);
  });

  it("the guard sees each room by id or name, and an outside venue is not booked", () => {
    const input = (place: string) =>
      ({
        event: "create",
        record: {
          ...request("MTG-2026-0002", "2026-02-20T10:00:00+08:00", { place: "外部" }),
          fields: { ...first.fields, place },
        },
        office,
        calendar: CALENDAR,
        now: 0,
        peers: peersOf(first),
      }) as unknown as GuardInput;
    expect(() => meetingRoom(input("第一会议室"))).toThrow(OfficeError);
    expect(meetingRoom(input("区政府三楼会议室"))).toBeUndefined();
  });
});

describe("weekly series", () => {
  it("every Monday from 09-21 to 10-19 leaves out National Day's Monday 10-05", () => {
    const s = weeklySeries(
      at("2026-09-21T08:30:00+08:00"),
      at("2026-09-21T10:00:00+08:00"),
      "2026-10-19",
      TZ,
      CALENDAR,
    );
    expect(s.occurrences.map((o) => new Date(o.start).toISOString())).toEqual([
      "2026-09-21T00:30:00.000Z",
      "2026-09-28T00:30:00.000Z",
      "2026-10-12T00:30:00.000Z",
      "2026-10-19T00:30:00.000Z",
    ]);
    expect(s.occurrences.every((o) => o.end - o.start === 90 * 60_000)).toBe(true);
    expect(s.skipped).toEqual(["2026-10-05"]);
  });

  it("a series that starts on a weekend keeps its weekends; `until` is the last day included", () => {
    const s = weeklySeries(
      at("2026-03-07T09:00:00+08:00"),
      at("2026-03-07T10:00:00+08:00"),
      "2026-03-21",
      TZ,
      CALENDAR,
    );
    expect(s.occurrences).toHaveLength(3);
    expect(s.skipped).toEqual([]);
  });
});

describe("replies, checklist and attendance", () => {
  const approved = () => request("MTG-2026-0001", "2026-02-20T09:00:00+08:00", {});
  it("an invitee replies once (a later reply replaces it); others are refused; leave needs a reason", () => {
    let m = approved();
    m = replyToNotice(m, ctx(P.staff, "2026-02-21T09:00:00+08:00"), { answer: "attend" }).record;
    const r = replyToNotice(m, ctx(P.staff, "2026-02-22T09:00:00+08:00"), {
      answer: "leave",
      reason: "病假",
    });
    expect(r.record.fields.replies).toEqual([{ person: "qian-fang", answer: "leave", reason: "病假" }]);
    expect(r.event).toMatchObject({ action: "reply", changes: { reply: { answer: "leave" } } });
    expect(
      codeOf(() => replyToNotice(m, ctx(P.civilStaff, "2026-02-22T09:00:00+08:00"), { answer: "attend" })),
    ).toBe("refused:meeting.not-invited");
    expect(
      codeOf(() => replyToNotice(m, ctx(P.staff, "2026-02-22T09:00:00+08:00"), { answer: "leave" })),
    ).toBe("usage:cli.missing-options");
    expect(
      codeOf(() =>
        replyToNotice(m, ctx(P.staff, "2026-02-22T09:00:00+08:00"), {
          answer: "substitute",
          by: "qian-fang",
        }),
      ),
    ).toBe("usage:meeting.substitute-self");
    expect(
      codeOf(() => replyToNotice(m, ctx(P.staff, "2026-02-22T09:00:00+08:00"), { answer: "maybe" })),
    ).toBe("usage:cli.bad-enum");
  });

  it("the check step stays until every item is ok, then is signed", () => {
    let m = approved();
    m = { ...m, step: "check" };
    const signed = (rec: RecordDoc) =>
      ({ record: { ...rec, step: "sign-in" }, event: { action: "sign" }, uncoveredYears: [] }) as never;
    const a = recordChecks(
      m,
      ctx(P.office, "2026-03-04T08:00:00+08:00"),
      [
        { name: "座位安排", state: "ok" },
        { name: "sound", state: "problem", note: "话筒" },
      ],
      signed,
    );
    expect(a.event.action).toBe("check");
    expect(a.record.fields.checklist).toEqual([
      { item: "seating", state: "ok" },
      { item: "sound", state: "problem", note: "话筒" },
    ]);
    const b = recordChecks(
      a.record,
      ctx(P.office, "2026-03-04T08:10:00+08:00"),
      [{ name: "sound", state: "ok" }],
      signed,
    );
    expect(b.event.action).toBe("sign");
    expect(
      codeOf(() =>
        recordChecks(
          a.record,
          ctx(P.office, "2026-03-04T08:10:00+08:00"),
          [{ name: "wifi", state: "ok" }],
          signed,
        ),
      ),
    ).toBe("usage:meeting.unknown-check-item");
    expect(
      codeOf(() =>
        recordChecks(
          a.record,
          ctx(P.staff, "2026-03-04T08:10:00+08:00"),
          [{ name: "sound", state: "ok" }],
          signed,
        ),
      ),
    ).toBe("refused:engine.not-permitted");
  });

  it.each([
    // who, replies, present, absent at sign-in -> kind of attendance
    ["present", [], ["qian-fang"], [], "present"],
    [
      "substituted by someone present",
      [{ person: "qian-fang", answer: "substitute", by: "sun-li" }],
      ["sun-li"],
      [],
      "substituted",
    ],
    [
      "a substitute who did not come",
      [{ person: "qian-fang", answer: "substitute", by: "sun-li" }],
      [],
      [],
      "unexcused",
    ],
    ["on leave (reply)", [{ person: "qian-fang", answer: "leave", reason: "出差" }], [], [], "excused"],
    ["a reason at sign-in", [], [], [{ person: "qian-fang", reason: "病假" }], "excused"],
    ["absent without a reason", [], [], [{ person: "qian-fang" }], "unexcused"],
    ["not signed in, no reply", [{ person: "qian-fang", answer: "attend" }], [], [], "unexcused"],
  ])("%s", (_what, replies, present, absent, kind) => {
    const m = approved();
    m.fields = { ...m.fields, scope: ["qian-fang"], replies, present, absent };
    const a = attendanceOf(m, office);
    const where = {
      present: a?.present.includes("qian-fang"),
      substituted: a?.substituted.some((s) => s.person === "qian-fang"),
      excused: a?.excused.some((s) => s.person === "qian-fang"),
      unexcused: a?.unexcused.includes("qian-fang"),
    };
    expect(
      Object.entries(where)
        .filter(([, v]) => v)
        .map(([k]) => k),
    ).toEqual([kind]);
  });

  it("no attendance before the sign-in", () => {
    expect(attendanceOf(approved(), office)).toBeUndefined();
  });

  it("attendance per person and unit over a period; rates are present / expected", () => {
    const held = (id: string, day: string, present: string[]) => {
      const m = request(id, "2026-02-20T09:00:00+08:00", {
        start: `${day}T09:00:00+08:00`,
        end: `${day}T10:00:00+08:00`,
      });
      m.fields = { ...m.fields, scope: ["urban", "zhou-qiang"], present };
      return m;
    };
    const recs = [
      held("MTG-2026-0001", "2026-03-04", ["zhao-lei", "qian-fang", "zhou-qiang"]),
      held("MTG-2026-0002", "2026-03-11", ["zhao-lei"]),
      held("MTG-2026-0003", "2026-03-18", ["zhao-lei", "qian-fang"]),
      held("MTG-2026-0004", "2026-04-01", []),
    ];
    const r = attendanceReport(recs, office, "2026-03-01", "2026-03-31");
    expect(r.meetings).toEqual(["MTG-2026-0001", "MTG-2026-0002", "MTG-2026-0003"]);
    const row = (rows: typeof r.people, id: string) => rows.find((x) => x.id === id);
    expect(row(r.people, "qian-fang")).toMatchObject({ expected: 3, present: 2, unexcused: 1, rate: 66.7 });
    expect(row(r.people, "zhou-qiang")).toMatchObject({ expected: 3, present: 1, unexcused: 2, rate: 33.3 });
    expect(row(r.units, "urban")).toMatchObject({ expected: 6, present: 5, rate: 83.3 });
  });

  it("percent rounds half up to one decimal, exactly", () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer({ min: 1, max: 10_000 }), (n, d) => {
        const p = percent(n, d) as number;
        const tenths = Math.round(p * 10);
        // Within half a tenth of the exact value, and the half goes up.
        expect(Math.abs(tenths * d - 1000 * n) * 2).toBeLessThanOrEqual(d);
        if ((tenths * d - 1000 * n) * 2 === -d) expect.unreachable();
      }),
    );
    expect(percent(0, 0)).toBeNull();
    expect(percent(1, 8)).toBe(12.5);
    expect(percent(1, 16)).toBe(6.3);
  });
});

describe("calendars", () => {
  const approve = (rec: RecordDoc) => {
    const r1 = sign(rec, ctx(P.office, "2026-02-20T10:00:00+08:00"), {}).record;
    return sign(r1, ctx(HEAD, "2026-02-20T11:00:00+08:00"), {}).record;
  };
  const pending = request("MTG-2026-0001", "2026-02-20T09:00:00+08:00", {
    place: "room-2",
    scope: ["zhou-qiang"],
  });
  const approved = approve(request("MTG-2026-0002", "2026-02-20T09:00:00+08:00", {}));
  const withdrawnLate = {
    ...approve(
      request("MTG-2026-0003", "2026-02-20T09:00:00+08:00", {
        start: "2026-03-05T09:00:00+08:00",
        end: "2026-03-05T10:00:00+08:00",
      }),
    ),
    withdrawn: { at: "2026-02-25T09:00:00+08:00", by: "yu-kai", reason: "改期" },
    status: "closed" as const,
  };
  const withdrawnEarly = {
    ...request("MTG-2026-0004", "2026-02-20T09:00:00+08:00", {
      start: "2026-03-06T09:00:00+08:00",
      end: "2026-03-06T10:00:00+08:00",
    }),
    withdrawn: { at: "2026-02-21T09:00:00+08:00", by: "yu-kai", reason: "取消" },
  };
  const all = [pending, approved, withdrawnLate, withdrawnEarly];

  it("a week runs Monday to Sunday; cancelled meetings are not booked", () => {
    expect(weekStart("2026-03-01")).toBe("2026-02-23");
    expect(weekStart("2026-03-02")).toBe("2026-03-02");
    expect(weekBookings(all, office, "2026-03-02").map((b) => [b.id, b.state])).toEqual([
      ["MTG-2026-0001", "pending"],
      ["MTG-2026-0002", "approved"],
    ]);
  });

  it("the feed: approved meetings confirmed, one withdrawn after its approval cancelled, the others left out", () => {
    const events = feedEvents(all, office, { from: "2026-03-01" });
    expect(events.map((e) => [e.uid, e.status])).toEqual([
      ["MTG-2026-0002.Z109@office-doc", "CONFIRMED"],
      ["MTG-2026-0003.Z109@office-doc", "CANCELLED"],
    ]);
    expect(feedEvents(all, office, { from: "2026-03-05" }).map((e) => e.uid)).toEqual([
      "MTG-2026-0003.Z109@office-doc",
    ]);
    // Only the meetings whose scope names the person (or their unit).
    expect(feedEvents(all, office, { from: "2026-03-01", person: "qian-fang" })).toHaveLength(2);
    expect(feedEvents(all, office, { from: "2026-03-01", person: "sun-li" })).toHaveLength(0);
  });
});

describe("office.yaml meetings:", () => {
  const base = { name: "X街道办事处" };
  it.each([
    [{}, undefined],
    [{ meetings: { rooms: { "room-1": { name: "第一会议室", capacity: 20 } } } }, undefined],
    [
      { meetings: { rooms: { "room-1": { name: "第一会议室", capacity: 0 } } } },
      "meetings.rooms.room-1.capacity",
    ],
    [{ meetings: { rooms: { "room-1": { capacity: 5 } } } }, "meetings.rooms.room-1"],
    [{ meetings: { rooms: ["room-1"] } }, "meetings.rooms"],
    [{ meetings: { request_days_before: -1 } }, "meetings.request_days_before"],
    [{ meetings: { checklist: { "Bad Id": { en: "x" } } } }, "meetings.checklist.Bad Id"],
  ])("%j: problem at %s", (raw, path) => {
    const r = validateOffice({ ...base, ...raw });
    expect(r.problems.map((p) => p.path.join("."))[0]).toBe(path);
  });

  it("an office.yaml without meetings: has no rooms, the seed's checklist, 2 and 1 days", () => {
    const o = validateOffice(base).value as OfficeConfig;
    expect(o.meetings).toBeUndefined();
    expect(meetingSettings(o)).toMatchObject({ rooms: [], request_days_before: 2, reply_days_before: 1 });
    expect(meetingSettings(o).checklist.map((c) => c.id)).toEqual([
      "seating",
      "seat-signs",
      "lighting",
      "sound",
      "water",
      "sanitation",
      "emblem",
    ]);
    const custom = validateOffice({
      ...base,
      meetings: { checklist: { banner: { en: "Banner", "zh-CN": "横幅" } } },
    });
    expect(meetingSettings(custom.value as OfficeConfig)).toMatchObject({
      checklist: [{ id: "banner", label: { en: "Banner", "zh-CN": "横幅" } }],
      request_days_before: 2,
    });
  });
});
