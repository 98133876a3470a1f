import { describe, expect, it } from "vitest";
import type { RecordSummary } from "../../src/core/model.js";
import { statsReport } from "../../src/core/reports/stats.js";

const s = (id: string, over: Partial<RecordSummary>): RecordSummary => ({
  id,
  kind: "call",
  title: id,
  status: "closed",
  step: null,
  holders: [],
  due: null,
  created: "2026-03-02T09:00:00+08:00",
  updated: "2026-03-03T09:00:00+08:00",
  ...over,
});

describe("statsReport", () => {
  const list = [
    s("CALL-2026-0001", { unit: "urban", on_time: true, extra: { type: "help" } }),
    s("CALL-2026-0002", { unit: "urban", on_time: false, extra: { type: "complaint" } }),
    s("CALL-2026-0003", {
      unit: "urban",
      status: "open",
      step: "handle",
      due: "2026-03-04",
      extra: { type: "help" },
    }),
    s("CALL-2026-0004", { unit: "social", on_time: true, extra: { type: "help" } }),
    s("CALL-2026-0005", { unit: "social", created: "2026-04-01T09:00:00+08:00", on_time: false }),
    s("IN-2026-0001", { kind: "incoming", on_time: true }),
  ];

  it("counts per kind and unit, with the on-time rate of closed records and open overdue ones", () => {
    const rows = statsReport(list, { by: "unit", asOf: "2026-03-05", to: "2026-03-31" });
    expect(rows).toEqual([
      {
        kind: "call",
        group: "social",
        total: 1,
        closed: 1,
        closed_on_time: 1,
        open: 0,
        open_overdue: 0,
        on_time_rate: 100,
      },
      {
        kind: "call",
        group: "urban",
        total: 3,
        closed: 2,
        closed_on_time: 1,
        open: 1,
        open_overdue: 1,
        on_time_rate: 50,
      },
      {
        kind: "incoming",
        group: "",
        total: 1,
        closed: 1,
        closed_on_time: 1,
        open: 0,
        open_overdue: 0,
        on_time_rate: 100,
      },
    ]);
  });

  it("groups by type and honours --from", () => {
    const rows = statsReport(list, { by: "type", asOf: "2026-03-03", from: "2026-03-01", to: "2026-03-31" });
    const help = rows.find((r) => r.kind === "call" && r.group === "help");
    expect(help).toMatchObject({ total: 3, closed: 2, open: 1, open_overdue: 0 });
    expect(rows.find((r) => r.group === "complaint")?.on_time_rate).toBe(0);
  });

  it("a group with nothing closed has no rate", () => {
    const rows = statsReport([s("CALL-2026-0009", { status: "open", due: "2026-03-10", unit: "x" })], {
      by: "unit",
      asOf: "2026-03-05",
    });
    expect(rows[0]?.on_time_rate).toBeNull();
  });
});
