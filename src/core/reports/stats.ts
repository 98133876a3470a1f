import type { IsoDate } from "../dates.js";
import type { RecordSummary } from "../model.js";

/** `unit`, `kind`, or the id of a field the index keeps in `extra` (a call's `type`). */
export type StatsBy = string;

export interface StatsRow {
  kind: string;
  /** The unit id or type value grouped by ("" when the record has none). */
  group: string;
  total: number;
  closed: number;
  closed_on_time: number;
  open: number;
  open_overdue: number;
  /** Closed on time / closed, in percent with one decimal; null when nothing is closed. */
  on_time_rate: number | null;
}

export interface StatsQuery {
  from?: IsoDate;
  to?: IsoDate;
  by: StatsBy;
  asOf: IsoDate;
}

/**
 * On-time statistics per kind and unit (or per value of a listed field, like a call's type): records registered between `from` and `to`
 * (office dates, inclusive). A closed record is on time when no step was completed after its due
 * date; an open one is overdue when its due day ended before `asOf`.
 */
export function statsReport(list: readonly RecordSummary[], q: StatsQuery): StatsRow[] {
  const groups = new Map<string, StatsRow>();
  for (const s of list) {
    const day = s.created.slice(0, 10);
    if ((q.from && day < q.from) || (q.to && day > q.to)) continue;
    const group = q.by === "unit" ? (s.unit ?? "") : q.by === "kind" ? "" : (s.extra?.[q.by] ?? "");
    const key = `${s.kind}\u0000${group}`;
    let row = groups.get(key);
    if (!row) {
      row = {
        kind: s.kind,
        group,
        total: 0,
        closed: 0,
        closed_on_time: 0,
        open: 0,
        open_overdue: 0,
        on_time_rate: null,
      };
      groups.set(key, row);
    }
    row.total++;
    if (s.status === "closed") {
      row.closed++;
      if (s.on_time !== false) row.closed_on_time++;
    } else {
      row.open++;
      if (s.due !== null && s.due < q.asOf) row.open_overdue++;
    }
  }
  const rows = [...groups.values()];
  for (const r of rows)
    r.on_time_rate = r.closed ? Math.round((r.closed_on_time / r.closed) * 1000) / 10 : null;
  return rows.sort((a, b) =>
    a.kind === b.kind ? (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) : a.kind < b.kind ? -1 : 1,
  );
}
