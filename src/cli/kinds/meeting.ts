import { resolve } from "node:path";
import { addDays, formatInstant, type IsoDate, isIsoDate, officeDate, yearOf } from "../../core/dates.js";
import { type ActionContext, type ActionResult, createRecord, sign } from "../../core/engine.js";
import type { Peers } from "../../core/hooks.js";
import {
  attendanceOf,
  attendanceReport,
  clock,
  closeReview,
  DEFAULT_LENGTH_MS,
  type Decision,
  decisionTask,
  feedEvents,
  MEETING,
  meetingSettings,
  nameIn,
  recordChecks,
  replyBy,
  replyToNotice,
  roomOf,
  weekBookings,
  weeklySeries,
  weekStart,
} from "../../core/kinds/meeting.js";
import type { RecordDoc, RecordSummary } from "../../core/model.js";
import { OfficeError, refused, usageError } from "../../core/problems.js";
import { summarize, validateFields } from "../../core/record.js";
import { sanitizeForTerminal } from "../../core/text.js";
import { findStep, type WorkflowDef } from "../../core/workflow.js";
import { writeFileAtomic } from "../../store/atomic.js";
import { RecordIndex } from "../../store/index-cache.js";
import { icalLibs } from "../../store/lazy.js";
import { recordRel } from "../../store/registry.js";
import { transact } from "../../store/transact.js";
import type { MessageKey } from "../../ui/i18n/keys.js";
import type { Column, Row } from "../../ui/render.js";
import { reportBroken } from "../commands/records.js";
import { committedReader } from "../committed.js";
import type { Ctx } from "../context.js";

import type { KindCall, KindCommand } from "../kind-commands.js";
import { type CreateOptions, collectCreate, runStep } from "../kinds.js";
import { nameOf, printResult, recordJson, resultLine } from "../present.js";
import {
  actionCommit,
  actionContext,
  allocator,
  putRecord,
  recordAction,
  warnUnreadPeers,
} from "../service.js";
import { printRows } from "../table-output.js";

/**
 * The meeting kind's commands (seed §8, §10; issue 16), named in templates/workflows/meeting.yaml:
 * `meeting request` (the create command, with a series and office-time options), `reply`,
 * `close-review`, `check`, `attend`, `wrap-up` (decisions become tasks), `calendar`, `ics`, and
 * `report meetings`. The rules are in src/core/kinds/meeting.ts; here they are read, written and shown.
 */

/** The kind of the supervised tasks a meeting's decisions become (templates/workflows/task.yaml). */
export const TASK_KIND = "task";

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);

/** The record `idText` must be of one of the kinds that name this command (a meeting), else exit 1. */
function meetingKind(ctx: Ctx, idText: string, wfs: readonly WorkflowDef[]): WorkflowDef {
  const { id, kind } = ctx.reg.resolveId(idText, yearOf(ctx.today()));
  const wf = wfs.find((w) => w.kind === kind);
  if (!wf) throw refused("meeting.not-a-meeting", { id, kinds: wfs.map((w) => w.kind).join(", ") });
  return wf;
}

/** Print what the guards and deadlines of one or more results warn of, each warning once. */
function warnAll(ctx: Ctx, results: readonly ActionResult[]): void {
  const years = [...new Set(results.flatMap((r) => r.uncoveredYears))].sort((a, b) => a - b);
  if (years.length) ctx.warn("deadline.uncovered-years", { years: years.join(", ") });
  const seen = new Set<string>();
  for (const n of results.flatMap((r) => r.notices ?? [])) {
    const key = `${n.code}${JSON.stringify(n.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ctx.warn(n.code, n.params);
  }
}

/** Print the records of a write: one line each, or JSON (one record, or an array of several). */
function printAll(ctx: Ctx, results: readonly ActionResult[], wf: WorkflowDef): number {
  if (ctx.json) {
    const docs = results.map((r) => recordJson(r.record, ctx.reg.workflow(r.record.kind), ctx));
    ctx.out(JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2));
  } else
    for (const r of results)
      ctx.out(resultLine(ctx, r, r.record.kind === wf.kind ? wf : ctx.reg.workflow(r.record.kind)));
  return 0;
}

/**
 * `meeting request`: the create command with its fields' options, and besides: times in office time
 * (`2026-03-02 09:00`), `--end` two hours after `--start` unless given, the place as a room's id (a
 * room named by its name is stored by id; anything else is an outside venue), the reply-by date, and
 * `--repeat weekly --until DATE` for a series. A series is written all or nothing, in one commit:
 * each occurrence is its own record, checked by the guards (cutoff, room, seats) against the others
 * and the meetings already booked; one refused refuses them all, naming its date.
 */
async function runRequest(ctx: Ctx, { wfs, opts }: KindCall): Promise<number> {
  const wf = wfs[0] as WorkflowDef;
  const tz = ctx.tz();
  const o: Record<string, unknown> = { ...opts };
  for (const k of ["start", "end"]) {
    const v = text(o[k]);
    if (v !== undefined) o[k] = formatInstant(ctx.instant(`--${k}`, v), tz);
  }
  const repeat = text(opts.repeat);
  const until = text(opts.until);
  if (repeat !== undefined && repeat !== "weekly")
    throw usageError("cli.bad-enum", { option: "--repeat", value: repeat, values: "weekly" });
  if ((repeat === undefined) !== (until === undefined))
    throw usageError("cli.missing-options", { options: repeat === undefined ? "--repeat" : "--until" });
  if (until !== undefined && !isIsoDate(until))
    throw usageError("cli.bad-date", { option: "--until", value: until });
  if (repeat !== undefined && o.replyBy !== undefined)
    throw usageError("cli.conflicting-option", { option: "--reply-by, --repeat" });
  const { at, title, fields } = await collectCreate(ctx, wf, o as CreateOptions);
  const office = ctx.office();
  const calendar = ctx.reg.calendar();
  const room = roomOf(office, fields.place);
  if (room) fields.place = room.id;
  else ctx.warn("meeting.outside-venue", { place: String(fields.place ?? "") });
  const start = Date.parse(String(fields.start));
  const end = fields.end === undefined ? start + DEFAULT_LENGTH_MS : Date.parse(String(fields.end));
  if (until !== undefined && until < officeDate(start, tz))
    throw usageError("meeting.until-before-start", { until, start: officeDate(start, tz) });
  const series = until
    ? weeklySeries(start, end, until, tz, calendar)
    : { occurrences: [{ start, end }], skipped: [] };
  const requestDay = officeDate(at, tz);
  const settings = meetingSettings(office);
  const each = series.occurrences.map((s) => {
    const f: Record<string, unknown> = {
      ...fields,
      start: formatInstant(s.start, tz),
      end: formatInstant(s.end, tz),
    };
    // An end before the start is kept as typed, for the guard meeting-times to name (exit 2).
    if (fields.end !== undefined && s === series.occurrences[0]) f.end = fields.end;
    f.reply_by ??= replyBy(calendar, officeDate(s.start, tz), requestDay, settings.reply_days_before);
    return f;
  });
  const ac = await actionContext(ctx, wf);
  for (const f of each) {
    const bad = validateFields(f, wf, ac.office).find((p) => !p.warning);
    if (bad) throw new OfficeError("usage", bad.code, bad.params);
  }
  const results = await createMeetings(ctx, ac, title, each, at);
  for (const d of series.skipped)
    ctx.warn("meeting.series-skipped", { date: d, name: calendar.dayName(d) ?? "" });
  warnAll(ctx, results);
  if (results.length > 1 && !ctx.json)
    ctx.say(
      ctx.t("meeting.series-made", { n: results.length, ids: results.map((r) => r.record.id).join(", ") }),
    );
  return printAll(ctx, results, wf);
}

/**
 * Create the meetings `each` (one, or the occurrences of a series) in one commit under the lock.
 * Each is checked by the workflow's guards with the others already made among its peers; a refusal
 * of an occurrence of a series names its day and refuses the whole series (nothing is written).
 */
async function createMeetings(
  ctx: Ctx,
  ac: ActionContext,
  title: string,
  each: readonly Record<string, unknown>[],
  at: number,
): Promise<ActionResult[]> {
  const wf = ac.wf;
  const tz = ac.office.timezone;
  const year = yearOf(officeDate(at, tz));
  return transact(ctx.reg, wf.create_action, async (tx) => {
    const made: ActionResult[] = [];
    const mine: RecordSummary[] = [];
    const peers: Peers = {
      open: () => [...tx.index.open.values(), ...mine],
      all: () => [...tx.index.all(), ...mine],
    };
    const acx = { ...ac, peers };
    warnUnreadPeers(ctx, wf, tx.index);
    for (const f of each) {
      const id = await allocator(ctx, tx).recordId(wf.kind, wf.prefix, year);
      if (each.length > 1) f.series = made[0]?.record.id ?? id;
      let r: ActionResult;
      try {
        r = createRecord(acx, id, title, { ...f }, at);
      } catch (e) {
        if (!(e instanceof OfficeError) || each.length === 1) throw e;
        throw new OfficeError(
          e.kind,
          "meeting.series-refused",
          { date: officeDate(Date.parse(String(f.start)), tz), n: each.length },
          [{ path: [], code: e.code, params: e.params }],
        );
      }
      putRecord(tx, acx, r.record);
      mine.push(summarize(r.record, wf));
      made.push(r);
    }
    const ids = made.map((r) => r.record.id);
    const first = made[0] as ActionResult;
    await tx.commit(
      actionCommit(
        ac,
        first.event,
        ids.join(", "),
        ids.length > 1
          ? `${wf.create_action} ${ids[0]}..${ids[ids.length - 1]}: ${title} (${ids.length})`
          : `${wf.create_action} ${ids[0]}: ${title}`,
      ),
    );
    return made;
  });
}

/** `meeting reply ID attend|leave|substitute [--reason T] [--by P]` (the replier: the operator or --as). */
async function runReply(ctx: Ctx, { wfs, args, opts }: KindCall): Promise<number> {
  const [id = "", answer = ""] = args;
  meetingKind(ctx, id, wfs);
  const res = await recordAction(ctx, id, "reply", (rec, ac) =>
    replyToNotice(rec, ac, {
      answer,
      ...(text(opts.reason) ? { reason: text(opts.reason) } : {}),
      ...(text(opts.by) ? { by: text(opts.by) } : {}),
    }),
  );
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}

/** `meeting close-review ID --reason T`: the office head ends the gathering of opinions. */
async function runCloseReview(ctx: Ctx, { wfs, args, opts }: KindCall): Promise<number> {
  const id = args[0] ?? "";
  meetingKind(ctx, id, wfs);
  const reason = text(opts.reason)?.trim();
  if (!reason) throw usageError("cli.missing-options", { options: "--reason" });
  const res = await recordAction(ctx, id, "skip", (rec, ac) => closeReview(rec, ac, reason));
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}

/** `NAME=STATE` of `--item` (ASCII or full-width equals sign). */
function parseItem(v: string): { name: string; state: string } {
  const at = v.search(/[=\uff1d]/);
  if (at <= 0) throw usageError("meeting.bad-item", { value: v });
  return { name: v.slice(0, at).trim(), state: v.slice(at + 1).trim() };
}

/**
 * `meeting check ID --item NAME=ok|problem [--item …] [--note T]`: items of the pre-meeting check;
 * the note goes with the items given that have a problem (with every item given when none has). The check step completes (signed by the actor) when every
 * item of office.yaml's checklist is ok, not before.
 */
async function runCheck(ctx: Ctx, { wfs, args, opts }: KindCall): Promise<number> {
  const id = args[0] ?? "";
  meetingKind(ctx, id, wfs);
  const items = texts(opts.item).map(parseItem);
  if (!items.length) throw usageError("cli.missing-options", { options: "--item" });
  const note = text(opts.note);
  // A note is about the problems when some item has one, else about every item given.
  const problems = items.some((i) => i.state !== "ok");
  const res = await recordAction(ctx, id, "check", (rec, ac) =>
    recordChecks(
      rec,
      ac,
      items.map((i) => ({ ...i, ...(note && (i.state !== "ok" || !problems) ? { note } : {}) })),
      (checked) =>
        sign(checked, ac, { expectStep: MEETING.steps.check, set: { checklist: checked.fields.checklist } }),
    ),
  );
  const wf = ctx.reg.workflow(res.record.kind);
  if (res.event.action === "check" && !ctx.json) {
    const checked = (res.record.fields.checklist as { state: string }[] | undefined) ?? [];
    ctx.say(
      ctx.t("meeting.check-progress", {
        ok: checked.filter((c) => c.state === "ok").length,
        total: meetingSettings(ctx.office()).checklist.length,
        recorded: checked.length,
      }),
    );
  }
  return printResult(ctx, res, wf);
}

/** `meeting attend ID --present P1,P2 [--absent P3:REASON …]`: the sign-in step (`sign-in ID …`). */
async function runAttend(ctx: Ctx, { wfs, args, opts }: KindCall): Promise<number> {
  const id = args[0] ?? "";
  const wf = meetingKind(ctx, id, wfs);
  const step = findStep(wf, MEETING.steps.signIn);
  const defs = (step?.sets ?? [])
    .map((f) => wf.fields.find((d) => d.id === f))
    .filter((d) => d !== undefined);
  const code = await runStep(
    ctx,
    MEETING.steps.signIn,
    id,
    { present: opts.present, absent: opts.absent },
    defs,
  );
  if (!ctx.json) {
    const { record } = ctx.reg.readRecord(...idParts(ctx, id));
    const a = attendanceOf(record, ctx.office());
    if (a)
      ctx.say(
        ctx.t("meeting.attendance", {
          present: a.present.length,
          expected: a.expected.length,
          substituted: a.substituted.length,
          excused: a.excused.length,
          unexcused: a.unexcused.length,
        }),
      );
  }
  return code;
}

function idParts(ctx: Ctx, idText: string): [string, string, string] {
  const { id, kind, rel } = ctx.reg.resolveId(idText, yearOf(ctx.today()));
  return [rel, id, kind];
}

/**
 * `meeting wrap-up ID [--cleanup T] [--decision T --assign UNIT --due DATE]… [--opinion T]`: the
 * clean-up and the minutes' decisions; each decision becomes a supervised task (task.yaml: lead unit,
 * due date, category "meeting decisions", source the meeting), all in one commit with the wrap-up's
 * signature (its tasks' own action, `assign`, in the commit's Office-Doc-Record-Actions).
 */
async function runWrapUp(ctx: Ctx, { wfs, args, opts }: KindCall): Promise<number> {
  const idText = args[0] ?? "";
  const wf = meetingKind(ctx, idText, wfs);
  const decisions = decisionsOf(ctx, opts);
  const cleanup = text(opts.cleanup)?.trim();
  const opinion = text(opts.opinion)?.trim();
  const taskWf = decisions.length ? taskWorkflow(ctx) : undefined;
  const [rel, id, kind] = idParts(ctx, idText);
  const ac = await actionContext(ctx, wf);
  const out = await transact(ctx.reg, "wrap-up", async (tx) => {
    const peers: Peers = { open: () => [...tx.index.open.values()], all: () => tx.index.all() };
    const acx = { ...ac, peers };
    const { record } = ctx.reg.readRecord(rel, id, kind);
    const tasks: ActionResult[] = [];
    const decided: Decision[] = [];
    if (taskWf) {
      const tac: ActionContext = { ...acx, wf: taskWf };
      const year = yearOf(officeDate(ac.now, ac.office.timezone));
      for (const d of decisions) {
        const taskId = await allocator(ctx, tx).recordId(taskWf.kind, taskWf.prefix, year);
        const t = decisionTask(record, d);
        const r = createRecord(tac, taskId, t.title, t.fields, ac.now);
        putRecord(tx, tac, r.record);
        tasks.push(r);
        decided.push({ ...d, task: taskId });
      }
    }
    const prior = (record.fields.decisions as Decision[] | undefined) ?? [];
    const set = {
      ...(cleanup ? { cleanup } : {}),
      ...(decided.length ? { decisions: [...prior, ...decided] } : {}),
    };
    const res = sign(record, acx, {
      expectStep: MEETING.steps.wrapUp,
      ...(opinion ? { opinion } : {}),
      ...(Object.keys(set).length ? { set } : {}),
    });
    putRecord(tx, acx, res.record, rel);
    const taskIds = tasks.map((t) => t.record.id);
    await tx.commit({
      ...actionCommit(
        ac,
        res.event,
        [id, ...taskIds].join(", "),
        `${res.event.action} ${id}: ${record.title}${taskIds.length ? ` (${taskIds.join(", ")})` : ""}`,
      ),
      ...(taskIds.length && taskWf
        ? { recordActions: Object.fromEntries(taskIds.map((t) => [t, taskWf.create_action])) }
        : {}),
    });
    return { res, tasks };
  });
  warnAll(ctx, [out.res, ...out.tasks]);
  if (out.tasks.length && !ctx.json)
    ctx.say(
      ctx.t("meeting.tasks-made", { n: out.tasks.length, ids: out.tasks.map((t) => t.record.id).join(", ") }),
    );
  return printAll(ctx, [out.res, ...out.tasks], wf);
}

/** The task workflow of the registry; a registry made before tasks existed is told to upgrade (exit 1). */
function taskWorkflow(ctx: Ctx): WorkflowDef {
  if (!ctx.reg.workflowKinds().includes(TASK_KIND))
    throw refused("meeting.no-task-workflow", { kind: TASK_KIND });
  return ctx.reg.workflow(TASK_KIND);
}

/**
 * The decisions typed: the n-th `--decision` goes with the n-th `--assign` (a unit) and `--due` (a
 * date, not before today). Unequal counts, an unknown unit or a bad date are exit 2.
 */
function decisionsOf(ctx: Ctx, opts: Record<string, unknown>): Decision[] {
  const d = texts(opts.decision).map((x) => x.trim());
  const u = texts(opts.assign).map((x) => x.trim());
  const due = texts(opts.due).map((x) => x.trim());
  if (d.length !== u.length || d.length !== due.length)
    throw usageError("meeting.decision-parts", { decisions: d.length, units: u.length, dues: due.length });
  const office = ctx.office();
  const today = ctx.today();
  return d.map((t, i) => {
    const unit = u[i] as string;
    const date = due[i] as string;
    if (!t) throw usageError("cli.missing-options", { options: "--decision" });
    if (!office.units.some((x) => x.id === unit))
      throw usageError("cli.unknown-unit-option", { option: "--assign", unit });
    if (!isIsoDate(date)) throw usageError("cli.bad-date", { option: "--due", value: date });
    if (date < today) throw usageError("meeting.due-past", { due: date, today });
    return { text: t, unit, due: date };
  });
}

/** The meeting records (of `wfs`' kinds) whose day is within [from, to], read whole. */
async function meetingRecords(
  ctx: Ctx,
  wfs: readonly WorkflowDef[],
  from?: IsoDate,
  to?: IsoDate,
): Promise<RecordDoc[]> {
  const index = await RecordIndex.load(ctx.reg);
  reportBroken(ctx, index, { readsFiles: true });
  const tz = ctx.tz();
  const kinds = new Set(wfs.map((w) => w.kind));
  const wanted = index.all().filter((s) => {
    const start = s.extra?.start;
    if (!kinds.has(s.kind) || !start) return false;
    const day = officeDate(Date.parse(start), tz);
    return !((from && day < from) || (to && day > to));
  });
  // As last committed, like the index the meetings were chosen from.
  const rels = wanted.map((s) => recordRel(s.kind, s.id));
  const reader = committedReader(ctx, rels, "list.uncommitted-file");
  return wanted.map((s, i) => {
    const rel = rels[i] as string;
    return ctx.reg.readRecord(rel, s.id, s.kind, reader.readText(rel)).record;
  });
}

/** The first open meeting on or after `from` (from the index's summaries alone). */
async function nextMeeting(
  ctx: Ctx,
  wfs: readonly WorkflowDef[],
  from: IsoDate,
): Promise<{ id: string; title: string; day: IsoDate } | undefined> {
  const index = await RecordIndex.load(ctx.reg);
  const kinds = new Set(wfs.map((w) => w.kind));
  const tz = ctx.tz();
  let best: { id: string; title: string; day: IsoDate; ms: number } | undefined;
  for (const s of index.open.values()) {
    const start = s.extra?.start;
    if (!kinds.has(s.kind) || !start) continue;
    const ms = Date.parse(start);
    const day = officeDate(ms, tz);
    if (day >= from && (!best || ms < best.ms)) best = { id: s.id, title: s.title, day, ms };
  }
  return best;
}

const dateOption = (option: string, v: unknown, fallback: IsoDate): IsoDate => {
  const t = text(v);
  if (t === undefined) return fallback;
  if (!isIsoDate(t)) throw usageError("cli.bad-date", { option, value: t });
  return t;
};

const WEEKDAYS: Record<"en" | "zh-CN", string[]> = {
  en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
  "zh-CN": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
};

/** `meeting calendar [--week DATE]`: the bookings of the week (Monday to Sunday) of DATE (default today). */
async function runCalendar(ctx: Ctx, { wfs, opts }: KindCall): Promise<number> {
  const monday = weekStart(dateOption("--week", opts.week, ctx.today()));
  const sunday = addDays(monday, 6);
  const office = ctx.office();
  const calendar = ctx.reg.calendar();
  const records = await meetingRecords(ctx, wfs, addDays(monday, -1), addDays(sunday, 1));
  const bookings = weekBookings(records, office, monday);
  const tz = office.timezone;
  const mark = (d: IsoDate) => {
    const k = calendar.dayKind(d);
    return k === "holiday"
      ? ctx.t("meeting.day-rest")
      : k === "adjusted-workday"
        ? ctx.t("meeting.day-work")
        : "";
  };
  const rows: Row[] = bookings.map((b) => ({
    day: `${b.day} ${WEEKDAYS[ctx.lang][new Date(`${b.day}T00:00:00Z`).getUTCDay()]}${mark(b.day)}`,
    time: `${clock(b.start, tz)}–${clock(b.end, tz)}`,
    place: b.place,
    id: b.id,
    title: b.title,
    unit: nameIn(office, b.unit),
    state: ctx.t(`meeting.state-${b.state}` as MessageKey),
  }));
  const cols: Column[] = [
    { key: "day", header: ctx.t("col.date") },
    { key: "time", header: ctx.t("meeting.col-time") },
    { key: "place", header: ctx.t("meeting.col-place"), shrink: 8 },
    { key: "id", header: ctx.t("col.id"), priority: 2 },
    { key: "title", header: ctx.t("col.title"), shrink: 12 },
    { key: "unit", header: ctx.t("meeting.col-convener"), priority: 3, shrink: 6 },
    { key: "state", header: ctx.t("col.state"), priority: 2 },
  ];
  const data = {
    week: { from: monday, to: sunday },
    bookings: bookings.map((b) => ({
      id: b.id,
      title: b.title,
      day: b.day,
      start: formatInstant(b.start, tz),
      end: formatInstant(b.end, tz),
      place: b.place,
      room: b.room ?? null,
      unit: b.unit,
      state: b.state,
    })),
  };
  await printRows(ctx, cols, rows, { data, heading: ctx.t("meeting.week", { from: monday, to: sunday }) });
  if (!bookings.length && ctx.format === "table") {
    ctx.say(ctx.t("meeting.week-empty"));
    const next = await nextMeeting(ctx, wfs, addDays(sunday, 1));
    if (next) ctx.say(ctx.t("meeting.week-next", { id: next.id, title: next.title, day: next.day }));
  }
  return 0;
}

/** Control and bidi characters have no place in a calendar file a phone shows: written escaped. */
const clean = sanitizeForTerminal;

/**
 * `meeting ics [--from DATE] [--person P] [--out FILE]`: the iCalendar file (RFC 5545) of the
 * approved meetings from DATE (default 30 days ago, so that phones keep the recent past), written by
 * ical-generator: times in the office's zone (DTSTART;TZID=Asia/Shanghai with its VTIMEZONE),
 * DTSTAMP in UTC, withdrawn meetings as CANCELLED events with their UIDs.
 */
async function runIcs(ctx: Ctx, { wfs, opts }: KindCall): Promise<number> {
  const from = dateOption("--from", opts.from, addDays(ctx.today(), -30));
  const person = text(opts.person);
  if (person) ctx.person("--person", person);
  const office = ctx.office();
  const tz = office.timezone;
  const events = feedEvents(await meetingRecords(ctx, wfs, from), office, {
    from,
    ...(person ? { person } : {}),
  });
  const { ical, tz: zoned, zones } = icalLibs();
  const cal = ical.default({
    name: clean(`${office.name} ${ctx.t("meeting.feed-name")}`),
    prodId: { company: "office-doc", product: "meetings", language: "ZH" },
    // No calendar-wide zone: DTSTAMP stays UTC as RFC 5545 wants; the events carry theirs.
    timezone: { name: null, generator: zones.getVtimezoneComponent },
  });
  cal.x([{ key: "X-WR-TIMEZONE", value: tz }]);
  for (const e of events)
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      stamp: new Date(e.stamp),
      start: new zoned.TZDate(e.start, tz),
      end: new zoned.TZDate(e.end, tz),
      timezone: tz,
      summary: clean(e.summary),
      location: clean(e.location),
      description: clean(e.description),
      status: e.status === "CANCELLED" ? ical.ICalEventStatus.CANCELLED : ical.ICalEventStatus.CONFIRMED,
    });
  // Every line of an iCalendar file ends with CRLF, the last one too (RFC 5545 §3.1).
  const out = cal.toString().replace(/(\r\n)?$/, "\r\n");
  const file = text(opts.out);
  if (file) {
    writeFileAtomic(resolve(ctx.cwd, file), out);
    ctx.say(ctx.t("meeting.ics-written", { file, n: events.length }));
  } else ctx.io.writeRaw(1, out);
  return 0;
}

/**
 * `report meetings [--from DATE] [--to DATE] [--by person|unit] [--out FILE]`: attendance of the
 * meetings held in the period (default: this year up to today), per person (default) or unit.
 * JSON has both lists: `{from, to, meetings, people, units}`.
 */
async function runReport(ctx: Ctx, { wfs, opts }: KindCall): Promise<number> {
  const today = ctx.today();
  const from = dateOption("--from", opts.from, `${today.slice(0, 4)}-01-01`);
  const to = dateOption("--to", opts.to, today);
  const by = text(opts.by) ?? "person";
  if (by !== "person" && by !== "unit")
    throw usageError("cli.bad-enum", { option: "--by", value: by, values: "person, unit" });
  const office = ctx.office();
  const report = attendanceReport(await meetingRecords(ctx, wfs, from, to), office, from, to);
  const named = <T extends { id: string; unit?: string }>(r: T) => ({
    ...r,
    name: r.id ? nameOf(office, r.id) : "—",
    ...(r.unit !== undefined ? { unit_name: r.unit ? nameOf(office, r.unit) : "—" } : {}),
  });
  const data = {
    from,
    to,
    meetings: report.meetings,
    people: report.people.map(named),
    units: report.units.map(({ unit: _u, ...r }) => named(r)),
  };
  const counts: Column[] = (["expected", "present", "substituted", "excused", "unexcused"] as const).map(
    (k) => ({
      key: k,
      header: ctx.t(`meeting.col-${k}`),
      numeric: true,
    }),
  );
  const rate: Column = { key: "rate", header: ctx.t("meeting.col-rate"), numeric: true };
  const cols: Column[] =
    by === "person"
      ? [
          { key: "name", header: ctx.t("col.name") },
          { key: "unit_name", header: ctx.t("col.unit"), shrink: 6 },
          ...counts,
          rate,
        ]
      : [{ key: "name", header: ctx.t("col.unit") }, ...counts, rate];
  const rows = (by === "person" ? data.people : data.units) as unknown as Row[];
  await printRows(ctx, cols, rows, {
    data,
    out: text(opts.out),
    sheet: ctx.t("meeting.col-rate"),
    heading: ctx.t("meeting.report-heading", { from, to, n: report.meetings.length }),
  });
  return 0;
}

/** The meeting kind's commands, by the hook names meeting.yaml uses (spread into KIND_COMMANDS). */
export const MEETING_COMMANDS = {
  "meeting-request": {
    description: "help.meeting-request",
    options: [
      { flags: "--repeat <weekly>", description: "help.opt-meeting-repeat" },
      { flags: "--until <date>", description: "help.opt-meeting-until" },
    ],
    run: runRequest,
  },
  "meeting-reply": {
    description: "help.meeting-reply",
    arguments: [
      { name: "id", description: "help.arg-id" },
      { name: "answer", description: "help.arg-meeting-answer" },
    ],
    options: [
      { flags: "--reason <text>", description: "help.opt-reason" },
      { flags: "--by <person>", description: "help.opt-meeting-by" },
    ],
    run: runReply,
  },
  "meeting-close-review": {
    description: "help.meeting-close-review",
    arguments: [{ name: "id", description: "help.arg-id" }],
    options: [{ flags: "--reason <text>", description: "help.opt-reason" }],
    run: runCloseReview,
  },
  "meeting-check": {
    description: "help.meeting-check",
    arguments: [{ name: "id", description: "help.arg-id" }],
    options: [
      { flags: "--item <name=state>", description: "help.opt-meeting-item", repeatable: true },
      { flags: "--note <text>", description: "help.opt-note" },
    ],
    run: runCheck,
  },
  "meeting-attend": {
    description: "help.meeting-attend",
    arguments: [{ name: "id", description: "help.arg-id" }],
    options: [
      { flags: "--present <people>", description: "help.opt-meeting-present" },
      { flags: "--absent <person:reason>", description: "help.opt-meeting-absent", repeatable: true },
    ],
    run: runAttend,
  },
  "meeting-wrap-up": {
    description: "help.meeting-wrap-up",
    arguments: [{ name: "id", description: "help.arg-id" }],
    options: [
      { flags: "--cleanup <text>", description: "help.opt-meeting-cleanup" },
      { flags: "--decision <text>", description: "help.opt-meeting-decision", repeatable: true },
      { flags: "--assign <unit>", description: "help.opt-meeting-assign", repeatable: true },
      { flags: "--due <date>", description: "help.opt-meeting-due", repeatable: true },
      { flags: "--opinion <text>", description: "help.opt-opinion" },
    ],
    run: runWrapUp,
  },
  "meeting-calendar": {
    description: "help.meeting-calendar",
    options: [{ flags: "--week <date>", description: "help.opt-meeting-week" }],
    run: runCalendar,
  },
  "meeting-ics": {
    description: "help.meeting-ics",
    options: [
      { flags: "--from <date>", description: "help.opt-meeting-ics-from" },
      { flags: "--person <person>", description: "help.opt-meeting-person" },
      { flags: "--out <file>", description: "help.opt-out" },
    ],
    run: runIcs,
  },
  "meeting-report": {
    description: "help.meeting-report",
    options: [
      { flags: "--from <date>", description: "help.opt-meeting-from" },
      { flags: "--to <date>", description: "help.opt-meeting-to" },
      { flags: "--by <what>", description: "help.opt-meeting-by-what" },
      { flags: "--out <file>", description: "help.opt-out" },
    ],
    run: runReport,
  },
} satisfies Record<string, KindCommand>;
