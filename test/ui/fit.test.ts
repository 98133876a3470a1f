import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Column, fitColumns, plainLayout, type Row, toMarkdown, toTable } from "../../src/ui/render.js";
import { displayWidth } from "../../src/ui/width.js";

/** The columns of `list`, as src/cli/table-output.ts declares them. */
const LIST: Column[] = [
  { key: "id", header: "ID" },
  { key: "kind", header: "Kind", priority: 5, shrink: 8 },
  { key: "title", header: "Title", shrink: 20 },
  { key: "step", header: "Step", priority: 4, shrink: 10 },
  { key: "holders", header: "Held by", priority: 3, shrink: 10 },
  { key: "due", header: "Due" },
  { key: "state", header: "State", priority: 2 },
];

const TITLES = [
  "关于做好2026年春节期间安全生产工作的通知",
  "Notice on the winter safety inspection of the sub-district",
  "小区路灯损坏",
  "关于报送第三季度重点工作进展情况的函（急）",
];
const ROWS: Row[] = Array.from({ length: 12 }, (_, i) => ({
  id: `IN-2026-${String(i + 1).padStart(4, "0")}`,
  kind: i % 2 ? "Incoming document" : "Call or visit",
  title: TITLES[i % TITLES.length],
  step: i % 3 ? "Reply to the caller" : "Proposal",
  holders: "于凯, 王守杰, 刘庆柱, 常丽群",
  due: "2026-02-13",
  state: "overdue",
}));

const widths = (out: string) => out.trimEnd().split("\n").map(displayWidth);
const header = (out: string) => out.split("\n")[1] ?? "";

describe("fitColumns", () => {
  const chrome = (n: number) => 2 * (n - 1);
  const natural = [14, 17, 60, 19, 28, 10, 7];

  it.each<[number | undefined, number[], number[]]>([
    [undefined, [0, 1, 2, 3, 4, 5, 6], natural],
    [400, [0, 1, 2, 3, 4, 5, 6], natural],
    // 120: everything fits once holders, step and kind are cut (least important first), then the title.
    [120, [0, 1, 2, 3, 4, 5, 6], [14, 8, 49, 10, 10, 10, 7]],
    // 80: kind and step go; holders is cut to its 10, the title gets the rest.
    [80, [0, 2, 4, 5, 6], [14, 31, 10, 10, 7]],
    // 60: holders goes too.
    [60, [0, 2, 5, 6], [14, 23, 10, 7]],
    // 40: only the columns that always stay, the title at its narrowest: the terminal wraps.
    [40, [0, 2, 5], [14, 20, 10]],
  ])("in %s columns", (max, shown, w) => {
    expect(fitColumns(LIST, natural, max, chrome)).toEqual({ shown, widths: w });
  });

  it("never cuts a column below its shrink, nor one without shrink, and fits whenever the kept columns can", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 90 }), { minLength: LIST.length, maxLength: LIST.length }),
        fc.integer({ min: 10, max: 300 }),
        (nat, max) => {
          const { shown, widths: w } = fitColumns(LIST, nat, max, chrome);
          shown.forEach((i, k) => {
            const c = LIST[i] as Column;
            expect(w[k]).toBeLessThanOrEqual(nat[i] as number);
            if (c.shrink === undefined) expect(w[k]).toBe(nat[i]);
            else expect(w[k]).toBeGreaterThanOrEqual(Math.min(c.shrink, nat[i] as number));
          });
          // Priority-1 columns always stay; a dropped column is never more important than a kept one.
          for (const i of LIST.keys()) if ((LIST[i]?.priority ?? 1) === 1) expect(shown).toContain(i);
          const total = w.reduce((a, b) => a + b, 0) + chrome(shown.length);
          const floor = shown.reduce(
            (a, i) => a + Math.min(nat[i] as number, LIST[i]?.shrink ?? (nat[i] as number)),
            0,
          );
          if (floor + chrome(shown.length) <= max) expect(total).toBeLessThanOrEqual(max);
        },
      ),
    );
  });
});

describe("tables fit the terminal", () => {
  it.each([60, 80, 100, 120])(
    "boxed at %i columns: every line fits, the title is cut with an ellipsis",
    (w) => {
      const out = toTable(LIST, ROWS, { color: false, width: w });
      for (const n of widths(out)) expect(n).toBeLessThanOrEqual(w);
      expect(out).toContain("\u2026");
      expect(header(out)).toContain("Title");
      expect(header(out)).toContain("Due");
    },
  );

  it("at 80 columns kind and step go, holders and state stay", () => {
    const out = toTable(LIST, ROWS, { color: false, width: 80 });
    expect(header(out)).not.toMatch(/Kind|Step/);
    expect(header(out)).toMatch(/Held by/);
    expect(header(out)).toMatch(/State/);
  });

  it("without a width (a pipe, a file) nothing is cut", () => {
    const out = toTable(LIST, ROWS, { color: false });
    for (const t of TITLES) expect(out).toContain(t);
    expect(out).not.toContain("\u2026");
  });

  it("the plain layout (long lists) fits the same way", () => {
    const many = Array.from({ length: 301 }, (_, i) => ROWS[i % ROWS.length] as Row);
    const { header: h, rule, lines } = plainLayout(LIST, many, 80);
    for (const l of [h, rule, ...lines]) expect(displayWidth(l)).toBeLessThanOrEqual(80);
    expect(h).not.toMatch(/Kind/);
  });

  it("a too-wide table switches to short headers before cutting or dropping", () => {
    const cols: Column[] = [
      { key: "id", header: "ID" },
      { key: "d", header: "Days overdue", short: "Days", numeric: true },
    ];
    const rows = [{ id: "IN-2026-0001", d: 12 }];
    expect(toTable(cols, rows, { color: false })).toContain("Days overdue");
    const narrow = toTable(cols, rows, { color: false, width: 24 });
    expect(narrow).toContain("Days");
    expect(narrow).not.toContain("overdue");
  });
});

describe("number columns", () => {
  const cols: Column[] = [
    { key: "id", header: "ID" },
    { key: "n", header: "Days", numeric: true },
  ];
  const rows = [
    { id: "IN-2026-0001", n: 5 },
    { id: "IN-2026-0002", n: 123 },
    { id: "IN-2026-0003", n: null },
  ];

  it("are right-aligned in tables, plain and boxed", () => {
    const { lines } = plainLayout(cols, rows);
    expect(lines[0]?.endsWith("    5")).toBe(true);
    expect(lines[1]?.endsWith("  123")).toBe(true);
    expect(toTable(cols, rows, { color: false })).toContain("│    5 │");
  });

  it("are right-aligned in Markdown", () => {
    expect(toMarkdown(cols, rows).split("\n")[1]).toBe("| --- | ---: |");
  });
});
