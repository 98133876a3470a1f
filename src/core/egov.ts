import type { ReplayHook } from "./audit.js";
import type { Calendar } from "./calendar.js";
import { formatInstant, type IsoDate, instantAt } from "./dates.js";
import { type ActionContext, type ActionResult, eventPeople } from "./engine.js";
import type { HistoryEvent, RecordDoc } from "./model.js";
import { refused } from "./problems.js";
import { classificationOf } from "./record.js";
import { type FieldRole, fieldByRole } from "./workflow.js";

export interface Checkin {
  at: string;
  by: string;
  recorded_by?: string;
  note?: string;
}

export interface WindowStatus {
  time: string;
  checked_at: string | null;
  checked_by?: string;
  missed: boolean;
}

export interface EgovStatus {
  date: IsoDate;
  working_day: boolean;
  windows: WindowStatus[];
}

/**
 * The e-gov receive windows of `date` (working days only). A check-in covers every window that began
 * since the previous check-in; a window is missed when its grace ran out with no check-in (a later
 * check-in still covers it, late). A window still in its grace, or still to come, is not missed.
 */
export function egovStatus(
  date: IsoDate,
  checkins: readonly Checkin[],
  cfg: { windows: string[]; grace_minutes: number },
  calendar: Calendar,
  nowMs: number,
  tz: string,
): EgovStatus {
  const working = calendar.isWorkingDay(date);
  if (!working) return { date, working_day: false, windows: [] };
  const times = checkins.map((c) => ({ ms: Date.parse(c.at), c })).sort((a, b) => a.ms - b.ms);
  const windows = [...cfg.windows].sort().map((time) => {
    const start = instantAt(date, `${time}:00`, tz);
    const graceEnd = start + cfg.grace_minutes * 60_000;
    const hit = times.find((x) => x.ms >= start);
    const w: WindowStatus = { time, checked_at: null, missed: false };
    if (hit) {
      w.checked_at = hit.c.at;
      w.checked_by = hit.c.by;
      w.missed = hit.ms > graceEnd;
    } else w.missed = nowMs > graceEnd;
    return w;
  });
  return { date, working_day: true, windows };
}

const SEND_ROLES = ["office", "office-head", "clerk"];

/**
 * Send an outgoing document over the e-gov network: only once it is issued and numbered, never a
 * classified one, and only to recipients in its distribution scope (main recipients and cc), so that
 * nothing is sent to the wrong place. The send is registered as an event of the record.
 */
export function egovSend(rec0: RecordDoc, ctx: ActionContext, to: string[]): ActionResult {
  const numberStep = ctx.wf.steps.findIndex((s) => s.numbers);
  const numberField = ctx.wf.steps[numberStep]?.numbers?.field;
  if (numberStep < 0 || !numberField)
    throw refused("egov.not-sendable-kind", { id: rec0.id, kind: rec0.kind });
  if (!ctx.actor.roles.some((r) => SEND_ROLES.includes(r)))
    throw refused("engine.route-not-permitted", { person: ctx.actor.name, roles: SEND_ROLES.join(", ") });
  const cls = classificationOf(rec0.fields, ctx.wf);
  if (cls !== undefined) throw refused("egov.classified", { id: rec0.id, classification: cls });
  const current = ctx.wf.steps.findIndex((s) => s.id === rec0.step);
  const number = rec0.fields[numberField];
  if (rec0.withdrawn) throw refused("egov.withdrawn", { id: rec0.id });
  if (typeof number !== "string" || (rec0.status === "open" && current <= numberStep))
    throw refused("egov.not-issued", { id: rec0.id, step: rec0.step ?? "" });
  const list = (role: FieldRole) => {
    const v = rec0.fields[fieldByRole(ctx.wf, role)?.id ?? ""];
    return Array.isArray(v) ? (v as string[]) : [];
  };
  const scope = [...list("recipients"), ...list("copied-to")];
  const outside = to.filter((t) => !scope.includes(t));
  if (outside.length)
    throw refused("egov.out-of-scope", {
      id: rec0.id,
      outside: outside.join("、"),
      scope: scope.join("、") || "—",
    });
  const rec = structuredClone(rec0);
  const event: HistoryEvent = {
    action: "egov-send",
    at: formatInstant(ctx.now, ctx.office.timezone),
    ...eventPeople(ctx),
    to: [...new Set(to)],
    changes: {
      [numberField]: number,
      title: rec.title,
      ...(rec.fields.pages !== undefined ? { pages: rec.fields.pages } : {}),
      scope,
    },
  };
  if (rec.step) event.step = rec.step;
  rec.history.push(event);
  return { record: rec, event, uncoveredYears: [] };
}

/** `egov send` as `verify` replays it (issue 18): the send to the recipients of its event. */
export const EGOV_REPLAYS: Record<string, ReplayHook> = {
  "egov-send": ({ prev, event, ac }) => (prev ? egovSend(prev, ac, [...(event.to ?? [])]) : undefined),
};
