import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CELL_MAX_WIDTH,
  type Column,
  groupedTable,
  type Row,
  render,
  tableCell,
  toCsv,
  toMarkdown,
  toTable,
} from "../../src/ui/render.js";
import { displayWidth } from "../../src/ui/width.js";
import { hostileText, RAW_CONTROL } from "../hostile.js";

const COLS: Column[] = [
  { key: "id", header: "编号" },
  { key: "title", header: "标题", shrink: 10 },
  { key: "holders", header: "办理人", priority: 2, shrink: 6 },
  { key: "n", header: "天数", numeric: true, priority: 3 },
];

const rowsOf = (titles: string[]): Row[] =>
  titles.map((t, i) => ({
    id: `IN-2026-${String(i + 1).padStart(4, "0")}`,
    title: t,
    holders: t.slice(0, 5),
    n: i,
  }));

describe("no field can put a control character on the terminal", () => {
  it("boxed and plain tables, at any width, hold no control character but line feeds", () => {
    fc.assert(
      fc.property(
        fc.array(hostileText, { minLength: 1, maxLength: 5 }),
        fc.option(fc.integer({ min: 20, max: 200 }), { nil: undefined }),
        fc.boolean(),
        (titles, width, long) => {
          const rows = rowsOf(
            long ? Array.from({ length: 301 }, (_, i) => titles[i % titles.length] as string) : titles,
          );
          const out = toTable(COLS, rows, { color: false, width });
          expect(out.replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
          // One line per row (and the header and borders): a field cannot add or remove lines.
          expect(out.trimEnd().split("\n")).toHaveLength(rows.length + (long ? 2 : 3));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("grouped tables and their headings too", () => {
    fc.assert(
      fc.property(hostileText, hostileText, (heading, title) => {
        const out = groupedTable(COLS, [{ heading: `\n${heading} (1)`, rows: rowsOf([title]) }], {
          color: false,
          width: 60,
        });
        expect(out.replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
      }),
    );
  });

  it("Markdown keeps every row on its line with the header's number of cells", () => {
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 1, maxLength: 5 }), (titles) => {
        const md = toMarkdown(COLS, rowsOf(titles));
        expect(md.replace(/\n/g, "")).not.toMatch(RAW_CONTROL);
        const lines = md.trimEnd().split("\n");
        expect(lines).toHaveLength(titles.length + 2);
        for (const l of lines) expect((l.match(/(?<!\\)\|/g) ?? []).length).toBe(COLS.length + 1);
      }),
    );
  });

  it("CSV holds control characters only as line breaks inside quoted cells", () => {
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 1, maxLength: 5 }), (titles) => {
        const csv = toCsv(COLS, rowsOf(titles));
        expect(csv.replace(/\r\n/g, "").replace(/\n/g, "").replace(/\t/g, "")).not.toMatch(RAW_CONTROL);
      }),
    );
  });

  it("JSON stays exact", () => {
    fc.assert(
      fc.property(hostileText, (title) => {
        const rows = rowsOf([title]);
        expect(JSON.parse(render("json", COLS, rows, { color: false }))).toEqual(rows);
      }),
    );
  });

  it.each([
    ["\u001b]0;owned\u0007", "\\x1b]0;owned\\x07"],
    ["\u001b[2Jcleared", "\\x1b[2Jcleared"],
    ["\u001b[1A\u001b[2Kup", "\\x1b[1A\\x1b[2Kup"],
    ["exe.\u202etxt", "exe.\\u202etxt"],
    ["line\nnext\r\nthird", "line next third"],
    ["tab\there", "tab here"],
  ])("a cell %j is shown as %j", (cell, shown) => {
    expect(tableCell(cell).text).toBe(shown);
  });
});

describe("a record's size does not change a listing's cost", () => {
  it("a 100 KB title is cut to CELL_MAX_WIDTH columns in every table, and the lines stay short", () => {
    const huge = "关".repeat(50_000) + "x".repeat(50_000);
    const rows = [...rowsOf(["short"]), { id: "IN-2026-0002", title: huge, holders: "x", n: 1 }];
    for (const n of [2, 301]) {
      const many = Array.from({ length: n }, (_, i) => rows[i % 2] as Row);
      const out = toTable(COLS, many, { color: false });
      expect(out.length).toBeLessThan(n * 200 + 1000);
      for (const line of out.trimEnd().split("\n"))
        expect(displayWidth(line)).toBeLessThanOrEqual(CELL_MAX_WIDTH + 60);
    }
    // 39 Chinese characters and the ellipsis: a 40th would not leave room for it.
    expect(tableCell(huge)).toEqual({ text: `${"关".repeat(39)}\u2026`, width: CELL_MAX_WIDTH - 1 });
    expect(tableCell(huge).text.endsWith("\u2026")).toBe(true);
    // A long run of combining marks has little width but is cut all the same.
    expect(tableCell(`a${"\u0301".repeat(100_000)}`).text.length).toBeLessThan(CELL_MAX_WIDTH * 5);
  });
});
