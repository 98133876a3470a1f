import type { ReplayHook } from "../audit.js";
import type { Calendar } from "../calendar.js";
import {
  addDays,
  chineseDate,
  dayOfWeek,
  formatInstant,
  type IsoDate,
  instantAt,
  officeDate,
  wallTime,
} from "../dates.js";
import {
  type ActionContext,
  type ActionResult,
  eligibility,
  eventPeople,
  isLeader,
  sign,
  skip,
} from "../engine.js";
import type { Detail, Guard } from "../hooks.js";
import {
  type ChecklistItem,
  DEFAULT_MEETINGS,
  type HistoryEvent,
  type Label,
  type MeetingSettings,
  type OfficeConfig,
  type RecordDoc,
  type RecordSummary,
  type Room,
} from "../model.js";
import { refused, usageError } from "../problems.js";
import type { WorkflowDef } from "../workflow.js";

/**
 * The meeting kind (会议, seed §8 and §10) where data cannot say it: the agenda cutoff, rooms
 * without double booking and with enough seats, weekly series, replies to the notice, the
 * pre-meeting checklist, sign-in and absences, decisions that become supervised tasks, the week's
 * bookings, the iCalendar feed and the attendance statistics. Pure: the office, the calendar, the
 * records and the time are given. The workflow is templates/workflows/meeting.yaml; this code names
 * the steps and fields of that file listed in MEETING (an office that edits the workflow keeps them).
 */

/** The steps and the meeting fields this code relies on (templates/workflows/meeting.yaml). */
export const MEETING = {
  steps: { review: "review", approve: "approve", check: "check", signIn: "sign-in", wrapUp: "wrap-up" },
} as const;

/** A reply to the meeting notice (回执). */
export type ReplyAnswer = "attend" | "leave" | "substitute";
export const REPLY_ANSWERS: readonly ReplyAnswer[] = ["attend", "leave", "substitute"];

export interface Reply {
  person: string;
  answer: ReplyAnswer;
  reason?: string;
  /** Who attends instead (代会), for `substitute`. */
  by?: string;
}

/** One item of the pre-meeting check as recorded. */
export interface CheckedItem {
  item: string;
  state: "ok" | "problem";
  note?: string;
}

/** A decision of the minutes (会议决定事项), assigned to a lead unit by a due date; `task` is its record. */
export interface Decision {
  text: string;
  unit: string;
  due: IsoDate;
  task?: string;
}

/** office.yaml `meetings:`, or the defaults for a file made before meetings existed. */
export function meetingSettings(office: OfficeConfig): MeetingSettings {
  return office.meetings ?? DEFAULT_MEETINGS;
}

/** The room a place names (by id or by name); undefined for an outside venue (free text). */
export function roomOf(office: OfficeConfig, place: unknown): Room | undefined {
  if (typeof place !== "string") return undefined;
  const t = place.trim();
  const rooms = meetingSettings(office).rooms;
  return rooms.find((r) => r.id === t) ?? rooms.find((r) => r.name === t);
}

/** How people read a place: the room's name, or the venue as typed. */
export function placeName(office: OfficeConfig, place: unknown): string {
  return roomOf(office, place)?.name ?? (typeof place === "string" ? place : "");
}

const listOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === "string" && v ? v.split(",") : [];

/**
 * The people a meeting's scope names: each person listed, and every member of each unit listed
 * ("units count their members"), in the order given, each once. Ids that are neither are left out.
 */
export function scopePeople(office: OfficeConfig, scope: unknown): string[] {
  const out: string[] = [];
  const add = (id: string) => {
    if (!out.includes(id)) out.push(id);
  };
  for (const id of listOf(scope)) {
    if (office.people.some((p) => p.id === id)) add(id);
    else if (office.units.some((u) => u.id === id))
      for (const p of office.people) if (p.unit === id) add(p.id);
  }
  return out;
}

/** Epoch ms of a stored instant (NaN when it is not one). */
const msOf = (v: unknown): number => (typeof v === "string" ? Date.parse(v) : Number.NaN);

/** The default length of a meeting when no end is given (issue 16: two hours). */
export const DEFAULT_LENGTH_MS = 2 * 3600_000;

/** A meeting's start and end in epoch ms (the end defaulting to two hours after the start). */
export function meetingSpan(fields: Record<string, unknown>): { start: number; end: number } {
  const start = msOf(fields.start);
  const end = fields.end === undefined ? start + DEFAULT_LENGTH_MS : msOf(fields.end);
  return { start, end };
}

/** `09:00` in office time. */
export function clock(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  return `${String(w.hour).padStart(2, "0")}:${String(w.minute).padStart(2, "0")}`;
}

/** `2026-03-04 09:00–11:00` (the end's date too when it is another day). */
export function spanText(start: number, end: number, tz: string): string {
  const d1 = officeDate(start, tz);
  const d2 = officeDate(end, tz);
  return `${d1} ${clock(start, tz)}–${d2 === d1 ? "" : `${d2} `}${clock(end, tz)}`;
}

/**
 * The last day a request for a meeting on `meetingDay` may come in: the end of the Nth working day
 * before it (seed §8.1 "two days in advance"; DESIGN.md's counting rule, counted back from the day
 * before). A meeting on Monday 2026-03-02 needs its request by Friday 02-27: Saturday 02-28 is an
 * adjusted working day and counts as the first.
 */
export function requestCutoff(calendar: Calendar, meetingDay: IsoDate, daysBefore: number): IsoDate {
  return calendar.workingDaysBefore(meetingDay, daysBefore).date;
}

/**
 * The day invitees reply to the notice by: the end of the Nth working day before the meeting day,
 * but not before the day of the request (a late request's notice asks for replies that day).
 */
export function replyBy(
  calendar: Calendar,
  meetingDay: IsoDate,
  requestDay: IsoDate,
  daysBefore: number,
): IsoDate {
  const d = calendar.workingDaysBefore(meetingDay, daysBefore).date;
  return d < requestDay ? (requestDay < meetingDay ? requestDay : meetingDay) : d;
}

/** The open meetings (of `kind`, other than `exceptId`) that hold `room` at a time overlapping [start, end). */
export function roomClashes(
  office: OfficeConfig,
  peers: readonly RecordSummary[],
  kind: string,
  room: Room,
  start: number,
  end: number,
  exceptId?: string,
): RecordSummary[] {
  return peers.filter((s) => {
    if (s.kind !== kind || s.id === exceptId || s.status !== "open") return false;
    const x = s.extra ?? {};
    if (roomOf(office, x.place)?.id !== room.id) return false;
    const other = meetingSpan({ start: x.start, end: x.end });
    // Half-open intervals: a meeting may start when the one before it ends.
    return other.start < end && start < other.end;
  });
}

/** The rooms free for all of [start, end) with at least `seats` seats: `第二会议室 (12)`, … */
export function freeRooms(
  office: OfficeConfig,
  peers: readonly RecordSummary[],
  kind: string,
  start: number,
  end: number,
  seats: number,
  exceptId?: string,
): Room[] {
  return meetingSettings(office).rooms.filter(
    (r) => r.capacity >= seats && roomClashes(office, peers, kind, r, start, end, exceptId).length === 0,
  );
}

const roomsText = (rooms: readonly Room[]) =>
  rooms.length ? rooms.map((r) => `${r.name} (${r.capacity})`).join(", ") : "—";

/** The name of a unit or person; the id when unknown. */
export function nameIn(office: OfficeConfig, id: string | undefined): string {
  if (!id) return "";
  return office.units.find((u) => u.id === id)?.name ?? office.people.find((p) => p.id === id)?.name ?? id;
}

/** `meeting-times` (creation guard): the end must be after the start (exit 2). */
export const meetingTimes: Guard = ({ record, office }) => {
  const { start, end } = meetingSpan(record.fields);
  if (!(end > start))
    throw usageError("meeting.end-before-start", {
      start: String(record.fields.start ?? ""),
      end: Number.isNaN(end) ? String(record.fields.end ?? "") : formatInstant(end, office.timezone),
    });
  return undefined;
};

/**
 * `meeting-cutoff` (creation guard): a request received after the end of the Nth working day before
 * the meeting day (office.yaml `meetings.request_days_before`, default 2) is refused (exit 1) unless
 * a leader approved it late (`late_approved_by`, any person whose role is a leader's); then it goes
 * through with a warning. "Received" is the record's registration time (`--at` when the request came
 * in on paper earlier).
 */
export const meetingCutoff: Guard = ({ record, office, calendar }) => {
  const tz = office.timezone;
  const { start } = meetingSpan(record.fields);
  if (Number.isNaN(start)) return undefined;
  const day = officeDate(start, tz);
  const settings = meetingSettings(office);
  const cutoff = requestCutoff(calendar, day, settings.request_days_before);
  const requested = officeDate(Date.parse(record.created), tz);
  if (requested <= cutoff) return undefined;
  const by = record.fields.late_approved_by;
  const params = { day, cutoff, requested, n: settings.request_days_before };
  if (typeof by !== "string" || !by) throw refused("meeting.too-late", params);
  const leader = office.people.find((p) => p.id === by);
  if (!leader || !isLeader(leader, office))
    throw refused("meeting.late-approver-not-leader", { person: leader ? `${leader.name} (${by})` : by });
  return [{ code: "meeting.late-approved", params: { ...params, name: leader.name } }];
};

/**
 * `meeting-room` (creation guard), for a place that is one of the office's rooms: refused (exit 1)
 * when its participants (people, and the members of the units named) outnumber its seats, or when an
 * open meeting, pending or approved, holds it at an overlapping time; the message names that meeting,
 * its convening unit and times, and the rooms free then. An outside venue is not booked here.
 */
export const meetingRoom: Guard = ({ record, office, peers }) => {
  const room = roomOf(office, record.fields.place);
  if (!room) return undefined;
  const { start, end } = meetingSpan(record.fields);
  const need = scopePeople(office, record.fields.scope).length;
  const open = peers.open();
  const free = () => roomsText(freeRooms(office, open, record.kind, start, end, need, record.id));
  if (need > room.capacity)
    throw refused("meeting.room-too-small", {
      room: room.name,
      capacity: room.capacity,
      n: need,
      free: free(),
    });
  const clash = roomClashes(office, open, record.kind, room, start, end, record.id)[0];
  if (clash) {
    const other = meetingSpan({ start: clash.extra?.start, end: clash.extra?.end });
    throw refused("meeting.room-taken", {
      room: room.name,
      id: clash.id,
      title: clash.title,
      unit: nameIn(office, clash.unit),
      time: spanText(other.start, other.end, office.timezone),
      free: free(),
    });
  }
  return undefined;
};

/** The items of the pre-meeting check not yet recorded ok, with what was recorded for them. */
export function checklistPending(
  record: RecordDoc,
  office: OfficeConfig,
): { item: ChecklistItem; checked?: CheckedItem }[] {
  const checked = (record.fields.checklist as CheckedItem[] | undefined) ?? [];
  return meetingSettings(office)
    .checklist.map((item) => ({ item, checked: checked.find((c) => c.item === item.id) }))
    .filter((x) => x.checked?.state !== "ok")
    .map((x) => (x.checked ? { item: x.item, checked: x.checked } : { item: x.item }));
}

/**
 * `checklist-ok` (step guard of the check step): the step completes only when every item of
 * office.yaml's checklist has been recorded ok (seed §10.3), whoever signs it.
 */
export const checklistOk: Guard = ({ record, office }) => {
  const pending = checklistPending(record, office);
  if (pending.length)
    throw refused("meeting.checklist-not-ok", {
      id: record.id,
      items: pending
        .map((p) => `${p.item.label["zh-CN"]} (${p.item.id}${p.checked?.note ? `: ${p.checked.note}` : ""})`)
        .join(", "),
    });
  return undefined;
};

/** The guards of meeting.yaml, by the names it uses. */
export const MEETING_GUARDS = {
  "meeting-times": meetingTimes,
  "meeting-cutoff": meetingCutoff,
  "meeting-room": meetingRoom,
  "checklist-ok": checklistOk,
};

/**
 * The starts and ends of a weekly series (`--repeat weekly --until DATE`): the first meeting and one
 * every 7 days at the same office time, while its day is on or before `until`. A week whose day is a
 * public holiday (National Day, the Spring Festival) has no meeting and is listed in `skipped`; a
 * series that starts on a rest day (a weekend meeting) keeps its rest days.
 */
export function weeklySeries(
  start: number,
  end: number,
  until: IsoDate,
  tz: string,
  calendar: Calendar,
): { occurrences: { start: number; end: number }[]; skipped: IsoDate[] } {
  const first = officeDate(start, tz);
  const w = wallTime(start, tz);
  const time = `${String(w.hour).padStart(2, "0")}:${String(w.minute).padStart(2, "0")}:${String(w.second).padStart(2, "0")}`;
  const length = end - start;
  const keepRestDays = !calendar.isWorkingDay(first);
  const occurrences: { start: number; end: number }[] = [];
  const skipped: IsoDate[] = [];
  for (let day = first; day <= until; day = addDays(day, 7)) {
    if (day !== first && !keepRestDays && !calendar.isWorkingDay(day)) {
      skipped.push(day);
      continue;
    }
    const s = instantAt(day, time, tz);
    occurrences.push({ start: s, end: s + length });
  }
  return { occurrences, skipped };
}

function eventOf(ac: ActionContext, rec: RecordDoc, action: string): HistoryEvent {
  return {
    action,
    at: formatInstant(ac.now, ac.office.timezone),
    ...eventPeople(ac),
    ...(rec.step ? { step: rec.step } : {}),
  };
}

/** Has the sign-in been recorded (the meeting was held)? */
const signedIn = (rec: RecordDoc) => Array.isArray(rec.fields.present);

/**
 * `meeting reply`: the actor's reply to the notice (回执), one per person, a later one replacing the
 * earlier (the history keeps both). Only people the scope names may reply (exit 1); `leave` needs a
 * reason and `substitute` the person who attends instead (exit 2); no reply after the sign-in.
 * The event `reply` records this reply alone in `changes.reply`.
 */
export function replyToNotice(
  rec0: RecordDoc,
  ac: ActionContext,
  input: { answer: string; reason?: string; by?: string },
): ActionResult {
  if (!REPLY_ANSWERS.includes(input.answer as ReplyAnswer))
    throw usageError("cli.bad-enum", {
      option: "answer",
      value: input.answer,
      values: REPLY_ANSWERS.join(", "),
    });
  if (rec0.status === "closed" || signedIn(rec0)) throw refused("meeting.reply-closed", { id: rec0.id });
  const person = ac.actor.id;
  if (!scopePeople(ac.office, rec0.fields.scope).includes(person))
    throw refused("meeting.not-invited", { person: `${ac.actor.name} (${person})`, id: rec0.id });
  const reply: Reply = { person, answer: input.answer as ReplyAnswer };
  const reason = input.reason?.trim();
  if (input.answer === "leave" && !reason) throw usageError("cli.missing-options", { options: "--reason" });
  if (reason) reply.reason = reason;
  if (input.answer === "substitute") {
    if (!input.by) throw usageError("cli.missing-options", { options: "--by" });
    if (!ac.office.people.some((p) => p.id === input.by))
      throw usageError("cli.unknown-person-option", { option: "--by", person: input.by });
    if (input.by === person) throw usageError("meeting.substitute-self", { person });
    reply.by = input.by;
  } else if (input.by) throw usageError("meeting.by-without-substitute");
  const rec = structuredClone(rec0);
  const replies = ((rec.fields.replies as Reply[] | undefined) ?? []).filter((r) => r.person !== person);
  rec.fields.replies = [...replies, reply];
  const event = { ...eventOf(ac, rec, "reply"), changes: { reply } };
  rec.history.push(event);
  return { record: rec, event, uncoveredYears: [] };
}

/**
 * `meeting check`: record items of the pre-meeting check (`seating=ok`, `sound=problem` with a note).
 * An item is named by its id or label in office.yaml (exit 2 otherwise). While some item is not ok
 * the record stays at the check step (an event `check`); when every item is ok the check step is
 * signed and the record moves on (the result of `complete`, given the record with the items).
 */
export function recordChecks(
  rec0: RecordDoc,
  ac: ActionContext,
  items: readonly { name: string; state: string; note?: string }[],
  complete: (rec: RecordDoc) => ActionResult,
): ActionResult {
  if (rec0.status === "closed" || rec0.step !== MEETING.steps.check)
    throw refused("engine.wrong-step", { id: rec0.id, step: rec0.step ?? "", expected: MEETING.steps.check });
  const step = ac.wf.steps.find((s) => s.id === MEETING.steps.check);
  if (step && eligibility(rec0, step, ac.office).partFor(ac.actor) === undefined)
    throw refused("engine.not-permitted", {
      person: `${ac.actor.name} (${ac.actor.id})`,
      id: rec0.id,
      step: step.id,
      who: rec0.holders.map((h) => nameIn(ac.office, h)).join(", ") || "—",
    });
  const list = meetingSettings(ac.office).checklist;
  const checked = [...((rec0.fields.checklist as CheckedItem[] | undefined) ?? [])];
  const given: CheckedItem[] = [];
  for (const it of items) {
    const def = list.find((c) => c.id === it.name || c.label["zh-CN"] === it.name || c.label.en === it.name);
    if (!def)
      throw usageError("meeting.unknown-check-item", {
        item: it.name,
        items: list.map((c) => `${c.id} (${c.label["zh-CN"]})`).join(", "),
      });
    if (it.state !== "ok" && it.state !== "problem")
      throw usageError("cli.bad-enum", {
        option: "--item",
        value: `${it.name}=${it.state}`,
        values: "ok, problem",
      });
    const c: CheckedItem = {
      item: def.id,
      state: it.state,
      ...(it.note?.trim() ? { note: it.note.trim() } : {}),
    };
    given.push(c);
    const i = checked.findIndex((x) => x.item === def.id);
    if (i >= 0) checked[i] = c;
    else checked.push(c);
  }
  // Kept in the order of office.yaml's checklist, so the record reads like the form.
  const order = (id: string) => list.findIndex((c) => c.id === id);
  checked.sort((a, b) => order(a.item) - order(b.item));
  const rec = structuredClone(rec0);
  rec.fields.checklist = checked;
  if (checklistPending(rec, ac.office).length === 0) return complete(rec);
  const event = { ...eventOf(ac, rec, "check"), changes: { checklist: given } };
  rec.history.push(event);
  return { record: rec, event, uncoveredYears: [] };
}

/**
 * `meeting close-review`: the office head ends the gathering of leaders' opinions before every leader
 * asked has answered (the review step then ends as skipped, with the reason). Permitted to those who
 * approve (the roles of the approve step); exit 1 for anyone else or at another step.
 */
export function closeReview(rec0: RecordDoc, ac: ActionContext, reason: string): ActionResult {
  const { review, approve } = MEETING.steps;
  if (rec0.status === "closed" || rec0.step !== review)
    throw refused("engine.wrong-step", { id: rec0.id, step: rec0.step ?? "", expected: review });
  const approvers = ac.wf.steps.find((s) => s.id === approve)?.actor.roles ?? ["office-head"];
  if (!ac.actor.roles.some((r) => approvers.includes(r)))
    throw refused("meeting.close-review-not-permitted", {
      person: `${ac.actor.name} (${ac.actor.id})`,
      roles: approvers.join(", "),
    });
  // The engine's skip, on a workflow where review may be skipped by the approvers alone.
  const wf: WorkflowDef = {
    ...ac.wf,
    steps: ac.wf.steps.map((s) => (s.id === review ? { ...s, optional: true, route_by: approvers } : s)),
  };
  const res = skip(rec0, { ...ac, wf }, reason);
  return res;
}

/** Who attended a meeting, once its sign-in is recorded. */
export interface Attendance {
  /** The people the scope names (应到). */
  expected: string[];
  /** Expected people present (实到). */
  present: string[];
  /** Expected people represented by a substitute who was present (代会). */
  substituted: { person: string; by: string }[];
  /** Absent with a reason: a `leave` reply or a reason given at sign-in (请假). */
  excused: { person: string; reason: string }[];
  /** Absent with no reason (无故缺席): not signed in, no leave. */
  unexcused: string[];
  /** Present though not in the scope (substitutes, guests). */
  others: string[];
}

/**
 * The attendance of a meeting whose sign-in is recorded (`present`, `absent`), with its replies;
 * undefined before the sign-in. An expected person not present is substituted when the substitute
 * they named was present, excused when they gave a reason (reply `leave`, or at sign-in), and
 * otherwise an unexcused absence.
 */
export function attendanceOf(record: RecordDoc, office: OfficeConfig): Attendance | undefined {
  if (!signedIn(record)) return undefined;
  const present = listOf(record.fields.present);
  const absent = (record.fields.absent as { person: string; reason?: string }[] | undefined) ?? [];
  const replies = (record.fields.replies as Reply[] | undefined) ?? [];
  const expected = scopePeople(office, record.fields.scope);
  const a: Attendance = { expected, present: [], substituted: [], excused: [], unexcused: [], others: [] };
  for (const p of expected) {
    if (present.includes(p)) {
      a.present.push(p);
      continue;
    }
    const r = replies.find((x) => x.person === p);
    const atSignIn = absent.find((x) => x.person === p)?.reason?.trim();
    if (r?.answer === "substitute" && r.by && present.includes(r.by))
      a.substituted.push({ person: p, by: r.by });
    else if (atSignIn) a.excused.push({ person: p, reason: atSignIn });
    else if (r?.answer === "leave") a.excused.push({ person: p, reason: r.reason ?? "" });
    else a.unexcused.push(p);
  }
  a.others = present.filter((p) => !expected.includes(p));
  return a;
}

const L = (en: string, zh: string): Label => ({ en, "zh-CN": zh });

/**
 * What `show` adds for a meeting (hooks `details`): the head count against the room's seats, who has
 * not replied to the notice (until the sign-in), the checklist items not yet ok (at the check step),
 * and after the sign-in how many of those expected were present, who was substituted, on leave and
 * absent without leave.
 */
export function meetingDetails({ record, office }: { record: RecordDoc; office: OfficeConfig }): Detail[] {
  const out: Detail[] = [];
  const expected = scopePeople(office, record.fields.scope);
  const room = roomOf(office, record.fields.place);
  out.push({
    key: "head_count",
    label: L("Head count", "应到人数"),
    text: room
      ? L(
          `${expected.length} (${room.name}: ${room.capacity} seats)`,
          `${expected.length}人（${room.name}${room.capacity}座）`,
        )
      : L(String(expected.length), `${expected.length}人`),
  });
  const att = attendanceOf(record, office);
  if (!att && !record.withdrawn) {
    const replied = new Set(((record.fields.replies as Reply[] | undefined) ?? []).map((r) => r.person));
    out.push({
      key: "not_replied",
      label: L("Not replied", "未回执"),
      people: expected.filter((p) => !replied.has(p)).map((id) => ({ id })),
    });
  }
  if (record.step === MEETING.steps.check)
    out.push({
      key: "checklist_pending",
      label: L("Checklist not ok", "会前检查未通过"),
      items: checklistPending(record, office).map((p) => ({
        label: p.item.label,
        note: p.checked ? `${p.checked.state}${p.checked.note ? `: ${p.checked.note}` : ""}` : undefined,
      })),
    });
  if (att) {
    const e = att.expected.length;
    const p = att.present.length;
    out.push({
      key: "attendance",
      label: L("Attendance", "出席情况"),
      text: L(`${p} of ${e} present`, `应到${e}人，实到${p}人`),
    });
    out.push({
      key: "substituted",
      label: L("Substituted", "代会"),
      people: att.substituted.map((s) => ({ id: s.person, note: nameIn(office, s.by) })),
    });
    out.push({
      key: "excused",
      label: L("Absent on leave", "请假"),
      people: att.excused.map((x) => ({ id: x.person, ...(x.reason ? { note: x.reason } : {}) })),
    });
    out.push({
      key: "unexcused",
      label: L("Absent without leave", "无故缺席"),
      people: att.unexcused.map((id) => ({ id })),
    });
  }
  return out;
}

const WEEKDAY_ZH = ["日", "一", "二", "三", "四", "五", "六"];

/**
 * The meeting notice's placeholders (templates/forms/meeting.md|html; hooks `forms`): time as a
 * notice writes it (`2026年3月2日（星期一）9:00—11:00`), place, scope by name, content, convening
 * unit, the reply-by date, the head count and the day the notice was issued.
 */
export function meetingForm(record: RecordDoc, office: OfficeConfig): Record<string, string> {
  const tz = office.timezone;
  const { start, end } = meetingSpan(record.fields);
  const day = officeDate(start, tz);
  const endDay = officeDate(end, tz);
  const time = `${chineseDate(day)}（星期${WEEKDAY_ZH[dayOfWeek(day)]}）${clock(start, tz)}—${endDay === day ? "" : chineseDate(endDay)}${clock(end, tz)}`;
  const scope = listOf(record.fields.scope);
  return {
    time,
    place: placeName(office, record.fields.place),
    scope: scope.map((id) => nameIn(office, id)).join("、"),
    convener: nameIn(office, String(record.fields.unit ?? "")),
    reply_by: typeof record.fields.reply_by === "string" ? chineseDate(record.fields.reply_by) : "",
    head_count: String(scopePeople(office, scope).length),
    issued: typeof record.fields.notified_on === "string" ? chineseDate(record.fields.notified_on) : "",
    content: String(record.fields.content ?? ""),
  };
}

/**
 * The task (督办事项, templates/workflows/task.yaml) a decision of the minutes becomes: its title is
 * the decision, its lead unit and due date the decision's, its category "meeting decisions" (seed
 * §9.1) and its source the meeting.
 */
export function decisionTask(
  meeting: RecordDoc,
  d: Decision,
): { title: string; fields: Record<string, unknown> } {
  return {
    title: d.text,
    fields: { unit: d.unit, due_date: d.due, category: "meeting-decision", source: meeting.id },
  };
}

/** Where a meeting stands for calendars: waiting for approval, approved, held, or cancelled. */
export type MeetingState = "pending" | "approved" | "held" | "cancelled";

/** Was the meeting approved (its approve step completed, and not sent back since)? */
export function wasApproved(record: RecordDoc): boolean {
  let ok = false;
  for (const e of record.history) {
    if (e.step === MEETING.steps.approve && e.action === "sign") ok = e.decision !== "return";
    if (e.decision === "return" && e.to?.includes(MEETING.steps.review)) ok = false;
  }
  return ok;
}

/** A meeting's state for the calendar and the feed. */
export function meetingState(record: RecordDoc): MeetingState {
  if (record.withdrawn) return "cancelled";
  if (signedIn(record) || record.status === "closed") return "held";
  return wasApproved(record) ? "approved" : "pending";
}

/** Monday of the week of `d` (the office's weeks run Monday to Sunday). */
export function weekStart(d: IsoDate): IsoDate {
  return addDays(d, -((dayOfWeek(d) + 6) % 7));
}

/** One booking of the week's calendar. */
export interface Booking {
  id: string;
  title: string;
  day: IsoDate;
  start: number;
  end: number;
  place: string;
  room?: string;
  unit: string;
  state: MeetingState;
}

/**
 * The meetings of the week starting `monday` (7 days), not cancelled, earliest first, each with its
 * room (or venue), convening unit and state.
 */
export function weekBookings(
  records: readonly RecordDoc[],
  office: OfficeConfig,
  monday: IsoDate,
): Booking[] {
  const tz = office.timezone;
  const sunday = addDays(monday, 6);
  const out: Booking[] = [];
  for (const r of records) {
    const { start, end } = meetingSpan(r.fields);
    const day = officeDate(start, tz);
    if (day < monday || day > sunday) continue;
    const state = meetingState(r);
    if (state === "cancelled") continue;
    const room = roomOf(office, r.fields.place);
    out.push({
      id: r.id,
      title: r.title,
      day,
      start,
      end,
      place: placeName(office, r.fields.place),
      ...(room ? { room: room.id } : {}),
      unit: String(r.fields.unit ?? ""),
      state,
    });
  }
  return out.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : 1));
}

/** One event of the iCalendar feed (RFC 5545), before a library writes it. */
export interface FeedEvent {
  /** Stable across exports: phones match updates and cancellations by it. */
  uid: string;
  /** Grows with every change of the record (RFC 5545 §3.8.7.4), so a phone takes the newer one. */
  sequence: number;
  /** When the record last changed (DTSTAMP): the same file for the same registry. */
  stamp: number;
  start: number;
  end: number;
  summary: string;
  location: string;
  description: string;
  status: "CONFIRMED" | "CANCELLED";
}

/**
 * The events of the iCalendar feed: every approved meeting (and held ones) from `from` on, each a
 * CONFIRMED event; a meeting withdrawn after its approval is a CANCELLED event with the same UID, so
 * that the phones that had it drop it (one never approved was never announced and is left out).
 * `person`: only meetings whose scope names that person (or a unit of theirs) or that they attend
 * as a substitute. UIDs are `<id>.<fonds>@office-doc`.
 */
export function feedEvents(
  records: readonly RecordDoc[],
  office: OfficeConfig,
  opts: { from: IsoDate; person?: string },
): FeedEvent[] {
  const tz = office.timezone;
  const out: FeedEvent[] = [];
  for (const r of records) {
    const { start, end } = meetingSpan(r.fields);
    if (Number.isNaN(start) || officeDate(start, tz) < opts.from) continue;
    const state = meetingState(r);
    if (state === "pending") continue;
    if (state === "cancelled" && !wasApproved(r)) continue;
    if (opts.person) {
      const p = opts.person;
      const replies = (r.fields.replies as Reply[] | undefined) ?? [];
      if (!scopePeople(office, r.fields.scope).includes(p) && !replies.some((x) => x.by === p)) continue;
    }
    const last = r.history[r.history.length - 1];
    const convener = nameIn(office, String(r.fields.unit ?? ""));
    out.push({
      uid: `${r.id}.${office.fonds}@office-doc`,
      sequence: r.history.length,
      stamp: Date.parse(last?.at ?? r.created),
      start,
      end,
      summary: r.title,
      location: placeName(office, r.fields.place),
      description: [String(r.fields.content ?? ""), `召集单位：${convener}`, r.id].filter(Boolean).join("\n"),
      status: state === "cancelled" ? "CANCELLED" : "CONFIRMED",
    });
  }
  return out.sort((a, b) => a.start - b.start || (a.uid < b.uid ? -1 : 1));
}

/** One row of `report meetings`: a person's or a unit's attendance over a period. */
export interface AttendanceRow {
  id: string;
  /** For a person, their unit. */
  unit?: string;
  expected: number;
  present: number;
  substituted: number;
  excused: number;
  unexcused: number;
  /** Present / expected, as a percentage with one decimal (66.7); null when nothing was expected. */
  rate: number | null;
}

/** `n/d` as a percentage rounded half up to one decimal, from integers (no binary rounding drift). */
export function percent(n: number, d: number): number | null {
  if (d === 0) return null;
  const tenths = Math.floor((2000 * n + d) / (2 * d));
  return tenths / 10;
}

/**
 * `report meetings --from --to`: the meetings held (sign-in recorded, not withdrawn) whose day is in
 * [from, to], and per person of their scopes and per unit of those people: meetings expected,
 * present, substituted, excused, unexcused, and the attendance rate (present / expected, 实到/应到).
 * People without a unit count under the unit id "".
 */
export function attendanceReport(
  records: readonly RecordDoc[],
  office: OfficeConfig,
  from: IsoDate,
  to: IsoDate,
): { meetings: string[]; people: AttendanceRow[]; units: AttendanceRow[] } {
  const tz = office.timezone;
  const people = new Map<string, AttendanceRow>();
  const meetings: string[] = [];
  const row = (map: Map<string, AttendanceRow>, id: string, unit?: string): AttendanceRow => {
    let r = map.get(id);
    if (!r) {
      r = {
        id,
        ...(unit !== undefined ? { unit } : {}),
        expected: 0,
        present: 0,
        substituted: 0,
        excused: 0,
        unexcused: 0,
        rate: null,
      };
      map.set(id, r);
    }
    return r;
  };
  for (const r of records) {
    if (r.withdrawn) continue;
    const day = officeDate(meetingSpan(r.fields).start, tz);
    if (!(day >= from && day <= to)) continue;
    const a = attendanceOf(r, office);
    if (!a) continue;
    meetings.push(r.id);
    const unitOf = (p: string) => office.people.find((x) => x.id === p)?.unit ?? "";
    for (const p of a.expected) row(people, p, unitOf(p)).expected++;
    for (const p of a.present) row(people, p, unitOf(p)).present++;
    for (const s of a.substituted) row(people, s.person, unitOf(s.person)).substituted++;
    for (const x of a.excused) row(people, x.person, unitOf(x.person)).excused++;
    for (const p of a.unexcused) row(people, p, unitOf(p)).unexcused++;
  }
  const units = new Map<string, AttendanceRow>();
  for (const p of people.values()) {
    const u = row(units, p.unit ?? "");
    u.expected += p.expected;
    u.present += p.present;
    u.substituted += p.substituted;
    u.excused += p.excused;
    u.unexcused += p.unexcused;
  }
  const done = (rows: Iterable<AttendanceRow>) =>
    [...rows]
      .map((x) => ({ ...x, rate: percent(x.present, x.expected) }))
      .sort((a, b) => (a.unit ?? "").localeCompare(b.unit ?? "") || a.id.localeCompare(b.id));
  return { meetings, people: done(people.values()), units: done(units.values()) };
}

/**
 * The meeting kind's own actions as `verify` replays them (issue 18; hooks `replays`): a `reply`
 * (its answer in `changes.reply`), a `check` that leaves items to do (the items given in
 * `changes.checklist`), and the `skip` of `meeting close-review` (the review step ended by the office
 * head: a skip the review step does not otherwise allow). Each returns undefined for an event it
 * does not make, so the generic replay takes it.
 */
export const MEETING_REPLAYS: Record<string, ReplayHook> = {
  reply: ({ prev, event, ac }) => {
    const reply = event.changes?.reply as Reply | undefined;
    if (!prev || !reply) return undefined;
    return replyToNotice(prev, ac, {
      answer: reply.answer,
      ...(reply.reason !== undefined ? { reason: reply.reason } : {}),
      ...(reply.by !== undefined ? { by: reply.by } : {}),
    });
  },
  check: ({ prev, event, ac }) => {
    const given = event.changes?.checklist as CheckedItem[] | undefined;
    if (!prev || !Array.isArray(given)) return undefined;
    return recordChecks(
      prev,
      ac,
      given.map((i) => ({ name: i.item, state: i.state, ...(i.note !== undefined ? { note: i.note } : {}) })),
      (checked) =>
        sign(checked, ac, { expectStep: MEETING.steps.check, set: { checklist: checked.fields.checklist } }),
    );
  },
  skip: ({ prev, event, ac }) => {
    const step = ac.wf.steps.find((s) => s.id === MEETING.steps.review);
    if (!prev || prev.step !== MEETING.steps.review || !step || step.optional) return undefined;
    return closeReview(prev, ac, event.reason ?? "");
  },
};
