import { chineseDate } from "../dates.js";
import type { FormHook } from "../hooks.js";

/**
 * Supervision and inspection (督查, seed §9): what the workflow (templates/workflows/inspection.yaml)
 * cannot say as data.
 */

const dateOf = (v: unknown) => (typeof v === "string" && v ? chineseDate(v.slice(0, 10)) : "");

/**
 * `inspection`, the inspection notice (督查通知, seed §9.3: "the inspection time, content, mode and
 * time limit"): the placeholders beyond the generic ones. `period`: the inspection's days in Chinese
 * (2026年3月9日至2026年3月13日, or the first day alone); `time_limit`: when the inspected units'
 * written materials are due; `notice_date`: the day the notice was issued (blank until then).
 */
export const inspectionForm: FormHook = ({ record }) => {
  const f = record.fields;
  const start = dateOf(f.start);
  const end = dateOf(f.end);
  return {
    period: end && end !== start ? `${start}至${end}` : start,
    time_limit: dateOf(f.deadline),
    notice_date: dateOf(f.noticed_on),
  };
};
