import type { Calendar } from "./calendar.js";
import { type IsoDate, instantAt } from "./dates.js";

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
