import { officeDate } from "../dates.js";
import type { Guard, Notice } from "../hooks.js";

/**
 * Reports to superiors (上级交办/报告, seed §6): what the workflow (templates/workflows/superior.yaml)
 * cannot say as data.
 */

/**
 * `superior-deadline`, a creation guard: a task whose superior's deadline is already too close when it
 * is registered is accepted, with a warning. The seed wants the report "reported to the party
 * secretary for reading and signing three days before reporting": the workflow's first step limited
 * `working_days_before` a date field (secretary-sign: 3 working days before `deadline`, DESIGN.md's
 * counting rule, 2026-03-10 -> 2026-03-05) gives that day. Registered on it: the report is due at the
 * secretary's today. Registered after it: the working days after it up to the registration day are
 * lost (working days, the start day not counted), and the working days left up to the deadline are
 * named. Registered after the deadline itself: it has passed. Returns nothing when there is time,
 * or when the workflow has no such step or the record no date.
 */
export const superiorDeadline: Guard = ({ event, record, wf, calendar, office }) => {
  if (event !== "create") return undefined;
  let rule: { working_days_before: number; field: string } | undefined;
  for (const s of wf.steps)
    if (s.limit && "working_days_before" in s.limit) {
      rule = s.limit;
      break;
    }
  const deadline = rule ? record.fields[rule.field] : undefined;
  if (!rule || typeof deadline !== "string") return undefined;
  const registered = officeDate(Date.parse(record.created), office.timezone);
  const n = rule.working_days_before;
  const due = calendar.workingDaysBefore(deadline, n).date;
  const out: Notice[] = [];
  if (registered > deadline)
    out.push({ code: "superior.deadline-passed", params: { id: record.id, deadline, registered } });
  else if (registered > due)
    out.push({
      code: "superior.deadline-close",
      params: {
        id: record.id,
        deadline,
        due,
        n,
        lost: calendar.workingDaysBetween(due, registered),
        left: calendar.workingDaysBetween(registered, deadline),
      },
    });
  else if (registered === due)
    out.push({ code: "superior.deadline-due-today", params: { id: record.id, deadline, due, n } });
  return out.length ? out : undefined;
};
