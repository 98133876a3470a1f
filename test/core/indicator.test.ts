import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  averageDecimals,
  JsonDecimal,
  jsonWithDecimals,
  percentChange,
  roundDecimal,
  subtractDecimals,
} from "../../src/core/decimal.js";
import { addMonths, monthsBetween } from "../../src/core/kinds/indicator.js";
import type { IndicatorDef, OfficeConfig } from "../../src/core/model.js";
import {
  type IndicatorReport,
  monthSummary,
  officeTotal,
  trendSeries,
} from "../../src/core/reports/indicators.js";
import { lineChart } from "../../src/ui/chart.js";
import { displayWidth } from "../../src/ui/width.js";

/** The pure parts of the monthly indicators (seed §5): exact arithmetic, months, totals, the chart. */

describe("exact decimal arithmetic for figures", () => {
  it.each<[string, number, string]>([
    ["2.345", 2, "2.35"],
    ["-2.345", 2, "-2.35"],
    ["2.344", 2, "2.34"],
    ["3", 2, "3.00"],
    ["0.05", 1, "0.1"],
    ["-0.05", 1, "-0.1"],
    ["-0.04", 1, "0.0"],
    ["12.5", 0, "13"],
    ["1234567890123456789.995", 2, "1234567890123456790.00"],
  ])("roundDecimal(%s, %i) = %s (half away from zero)", (text, places, out) => {
    expect(roundDecimal(text, places)).toBe(out);
  });

  it.each<[string[], number, string | undefined]>([
    [["1.0", "1.1"], 1, "1.1"],
    [["-0.1", "-0.2"], 1, "-0.2"],
    [["2.0", "2.0", "2.1"], 1, "2.0"],
    [["1", "2"], 0, "2"],
    [["0.1", "0.2"], 2, "0.15"],
    [[], 2, undefined],
  ])("averageDecimals(%j, %i) = %s", (values, places, out) => {
    expect(averageDecimals(values, places)).toBe(out);
  });

  it.each<[string, string, string | undefined]>([
    ["100", "110", "10.0"],
    ["-50", "-25", "50.0"],
    ["1003.00", "0.30", "-100.0"],
    ["2.0", "1.1", "-45.0"],
    ["0", "5", undefined],
    ["3", "4", "33.3"],
  ])("percentChange(%s -> %s) = %s", (before, after, out) => {
    expect(percentChange(before, after)).toBe(out);
  });

  it("subtracts exactly", () => {
    expect(subtractDecimals("0.3", "0.1")).toBe("0.2");
    expect(subtractDecimals("1.1", "-0.1")).toBe("1.2");
    expect(subtractDecimals("0", "0.00")).toBe("0.00");
  });

  it("JSON with exact numbers: laid out as JSON.stringify(v, null, 2), a decimal written digit for digit", () => {
    const plain = fc.jsonValue();
    fc.assert(
      fc.property(plain, (v) => {
        expect(jsonWithDecimals(v)).toBe(JSON.stringify(v, null, 2));
      }),
    );
    const decimal = fc
      .tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: 0, max: 6 }))
      .map(([n, s]) => {
        const digits = (n < 0n ? -n : n).toString().padStart(s + 1, "0");
        const text = `${n < 0n ? "-" : ""}${digits.slice(0, digits.length - s)}${s ? `.${digits.slice(-s)}` : ""}`;
        return text === "-0" || /^-0\.0*$/.test(text) ? text.slice(1) : text;
      });
    fc.assert(
      fc.property(decimal, (d) => {
        const text = jsonWithDecimals({ v: new JsonDecimal(d), list: [new JsonDecimal(d)] });
        expect(text).toContain(`"v": ${d}`);
        expect(JSON.parse(text).v).toBe(Number(d));
      }),
    );
    expect(() => new JsonDecimal("1e3")).toThrow();
  });
});

describe("months", () => {
  it("counts across the year boundary", () => {
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-03", -12)).toBe("2025-03");
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(monthsBetween("2025-11", "2026-02")).toEqual(["2025-11", "2025-12", "2026-01", "2026-02"]);
    expect(monthsBetween("2026-03", "2026-01")).toEqual([]);
  });
});

const def = (id: string, total: "sum" | "average", decimals: number, units: string[]): IndicatorDef => ({
  id,
  label: { en: id, "zh-CN": id },
  measure: "",
  total,
  decimals,
  units,
});
const office = {
  units: [
    { id: "a", name: "A" },
    { id: "b", name: "B" },
    { id: "c", name: "C" },
  ],
  indicators: [def("out", "sum", 2, ["a", "b", "c"]), def("rate", "average", 1, ["a", "b"])],
} as unknown as OfficeConfig;

describe("monthSummary and trendSeries", () => {
  const reports: IndicatorReport[] = [
    { id: "IND-1", unit: "b", month: "2026-03", step: "analyse", figures: { out: "0.2", rate: "1.1" } },
    { id: "IND-2", unit: "a", month: "2026-03", step: null, figures: { out: "0.1", rate: "1.0" } },
    { id: "IND-3", unit: "c", month: "2026-03", step: "leader-sign", figures: {} },
    { id: "IND-4", unit: "a", month: "2026-01", step: null, figures: { out: "5" } },
  ];

  it("rows in the office's order of units, totals by the set's rule, an opened empty report is missing", () => {
    const s = monthSummary(reports, office, "2026-03");
    expect(s.rows.map((r) => [r.unit, r.values, r.status])).toEqual([
      ["a", { out: "0.10", rate: "1.0" }, "closed"],
      ["b", { out: "0.20", rate: "1.1" }, "analyse"],
    ]);
    expect(s.totals).toEqual({ out: "0.30", rate: "1.1" });
    expect(s.counts).toEqual({ out: 2, rate: 2 });
    expect(s.missing).toEqual(["c"]);
    expect(s.reports.c).toEqual({ id: "IND-3", status: "leader-sign" });
    // Nobody reported in February; last March neither.
    expect(s.month_on_month).toBeNull();
    expect(s.year_on_year).toBeNull();
  });

  it("a trend of the office's total leaves months without figures null and changes only between two figures", () => {
    const series = trendSeries(
      reports,
      office,
      office.indicators?.[0] as IndicatorDef,
      monthsBetween("2026-01", "2026-03"),
    );
    expect(series).toEqual([
      { month: "2026-01", value: "5.00", change: null, change_pct: null },
      { month: "2026-02", value: null, change: null, change_pct: null },
      { month: "2026-03", value: "0.30", change: null, change_pct: null },
    ]);
    expect(officeTotal(def("x", "average", 0, []), ["1", "2"])).toBe("2");
  });
});

describe("lineChart", () => {
  const points = ["2025-11", "2025-12", "2026-01", "2026-02"].map((m, i) => ({
    label: m.slice(2),
    value: [10, 12.5, 11, 15][i] as number,
  }));

  it("draws the line within the width, the axis under it, each label under its point", () => {
    const text = lineChart(points, { width: 40, format: (v) => v.toFixed(1), color: false }) as string;
    const lines = text.trimEnd().split("\n");
    for (const l of lines) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    const axis = lines.at(-2) as string;
    const labels = lines.at(-1) as string;
    const ticks = [...axis].map((c, i) => (c === "\u2514" || c === "\u252c" ? i : -1)).filter((i) => i >= 0);
    expect(ticks).toHaveLength(4);
    // Each label is centred under its tick (a label of 5 columns starts 2 before it).
    for (const [i, p] of points.entries()) expect(labels.indexOf(p.label)).toBe((ticks[i] as number) - 2);
    expect(text).toContain("15.0");
    expect(text).toContain("10.0");
  });

  it("places labels by display width: Chinese labels line up", () => {
    const cjk = points.map((p, i) => ({ ...p, label: `${i + 1}月` }));
    const text = lineChart(cjk, { width: 60, format: (v) => v.toFixed(0), color: false }) as string;
    const [axis, labels] = text.trimEnd().split("\n").slice(-2) as [string, string];
    const tickCols = [...axis]
      .map((c, i) => (c === "\u2514" || c === "\u252c" ? i : -1))
      .filter((i) => i >= 0);
    for (const [i, p] of cjk.entries()) {
      const before = labels.slice(0, labels.indexOf(p.label));
      expect(displayWidth(before)).toBe((tickCols[i] as number) - 1);
    }
  });

  it("draws nothing for fewer than two points or no room", () => {
    expect(lineChart(points.slice(0, 1), { width: 80, format: String, color: false })).toBeUndefined();
    expect(lineChart(points, { width: 8, format: (v) => v.toFixed(1), color: false })).toBeUndefined();
  });
});
