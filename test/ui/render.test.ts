import { describe, expect, it } from "vitest";
import {
  type Column,
  displayWidth,
  groupedPlainTable,
  groupedTable,
  plainLayout,
  type Row,
  render,
  toCsv,
  toMarkdown,
  toTable,
} from "../../src/ui/render.js";

const COLS: Column[] = [
  { key: "id", header: "编号" },
  { key: "title", header: "标题" },
  { key: "holder", header: "Holder" },
  { key: "due", header: "期限" },
];

const ROWS: Row[] = [
  { id: "IN-2026-0001", title: "关于做好春节期间安全生产工作的通知", holder: "城管科", due: "2026-02-24" },
  { id: "IN-2026-0002", title: "Notice", holder: "wang-shoujie", due: null },
  {
    id: "OUT-2026-0003",
    title: "X街办发〔2026〕3号 关于……的请示",
    holder: "李建国、周强",
    due: "2026-10-15",
  },
  { id: "IN-2026-0004", title: "Z109-WS·2026-D10-0001 归档", holder: "（民政科）", due: undefined },
  { id: "IN-2026-0005", title: "mixed 中文 and ASCII，全角标点", holder: "", due: "2026-03-05" },
];

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("displayWidth", () => {
  it.each([
    ["", 0],
    ["IN-2026-0001", 12],
    ["收文", 4],
    ["城管科 urban", 12],
    ["〔2026〕", 8],
    ["（民政科）", 10],
    ["，、。", 6],
    ["Z109-WS·2026", 12],
    ["한국어", 6],
    ["ｱ", 1], // half-width katakana
    ["📞来电", 6], // a surrogate pair counts once, as wide
    ["𠀀", 2], // CJK Extension B, outside the BMP
    ["e\u0301", 1], // a combining accent takes no column
    ["a\tb", 2], // control characters take none either
  ])("%j -> %i", (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });
});

describe("toCsv", () => {
  it("starts with a BOM, ends lines with CRLF, quotes per RFC 4180", () => {
    const csv = toCsv(
      [
        { key: "a", header: "编号" },
        { key: "b", header: "意见, 备注" },
      ],
      [
        { a: "IN-2026-0001", b: "同意" },
        { a: "IN-2026-0002", b: 'he said "yes", then left' },
        { a: "IN-2026-0003", b: "line one\nline two" },
        { a: 42, b: true },
        { a: null, b: undefined },
        { a: "x\r\ny", b: "  spaced  " },
      ],
    );
    expect(csv.startsWith("\ufeff")).toBe(true);
    expect(csv.endsWith("\r\n")).toBe(true);
    expect(csv.slice(1)).toBe(
      [
        '编号,"意见, 备注"',
        "IN-2026-0001,同意",
        'IN-2026-0002,"he said ""yes"", then left"',
        'IN-2026-0003,"line one\nline two"',
        "42,true",
        ",",
        '"x\r\ny",  spaced  ',
        "",
      ].join("\r\n"),
    );
  });

  it("has one CRLF-terminated line per row when no cell has a line break", () => {
    const csv = toCsv(COLS, ROWS);
    const lines = csv.slice(1).split("\r\n");
    expect(lines).toHaveLength(ROWS.length + 2); // header, rows, and the empty string after the last CRLF
    expect(lines.at(-1)).toBe("");
    expect(csv.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(lines[0]).toBe("编号,标题,Holder,期限");
    expect(lines[2]).toBe("IN-2026-0002,Notice,wang-shoujie,");
  });

  it("with no rows is the header only", () => {
    expect(toCsv(COLS, [])).toBe("\ufeff编号,标题,Holder,期限\r\n");
  });
});

describe("toMarkdown", () => {
  it("escapes | and turns line breaks into <br>", () => {
    const md = toMarkdown(
      [
        { key: "a", header: "A|B" },
        { key: "b", header: "意见" },
      ],
      [
        { a: "x|y", b: "第一行\n第二行" },
        { a: null, b: "a\r\nb" },
      ],
    );
    expect(md).toBe(
      ["| A\\|B | 意见 |", "| --- | --- |", "| x\\|y | 第一行<br>第二行 |", "|  | a<br>b |", ""].join("\n"),
    );
  });

  it("every line has as many unescaped pipes as the header", () => {
    const md = toMarkdown(COLS, [...ROWS, { id: "a|b|c", title: "|", holder: "||", due: "x" }]);
    const lines = md.trimEnd().split("\n");
    const pipes = (l: string) => (l.match(/(?<!\\)\|/g) ?? []).length;
    for (const l of lines) expect(pipes(l)).toBe(COLS.length + 1);
  });
});

describe("toTable (boxed, cli-table3)", () => {
  it("lines up columns with Chinese text: every line has the same display width", () => {
    const out = toTable(COLS, ROWS, { color: false });
    expect(out.endsWith("\n")).toBe(true);
    const lines = out.trimEnd().split("\n");
    expect(lines.length).toBe(ROWS.length + 3); // top border, header, rows, bottom border (no rules between rows)
    const widths = lines.map(displayWidth);
    expect(new Set(widths).size).toBe(1);
    // the column borders are at the same display positions on every line
    const borderCols = (l: string) => {
      const cols: number[] = [];
      let w = 0;
      for (const ch of l) {
        if ("│┌┬┐├┼┤└┴┘".includes(ch)) cols.push(w);
        w += displayWidth(ch);
      }
      return cols;
    };
    const expected = borderCols(lines[0] ?? "");
    expect(expected).toHaveLength(COLS.length + 1);
    for (const l of lines) expect(borderCols(l)).toEqual(expected);
    // and every value is there
    for (const r of ROWS) for (const v of Object.values(r)) if (v) expect(out).toContain(String(v));
  });

  it("has no colour codes without colour, and aligns the same with colour", () => {
    const plain = toTable(COLS, ROWS, { color: false });
    expect(plain).not.toContain("\u001b[");
    const coloured = stripAnsi(toTable(COLS, ROWS, { color: true }));
    expect(new Set(coloured.trimEnd().split("\n").map(displayWidth)).size).toBe(1);
  });

  it("a table with no rows still has its header", () => {
    const out = toTable(COLS, [], { color: false });
    expect(out).toContain("编号");
    expect(new Set(out.trimEnd().split("\n").map(displayWidth)).size).toBe(1);
  });
});

describe("toTable (plain, more than 300 rows)", () => {
  const titles = [
    "通知",
    "关于做好春节期间安全生产工作的通知",
    "Notice",
    "X街办发〔2026〕3号",
    "Z109-WS·2026-D10-0001",
  ];
  const holders = ["城管科", "wang-shoujie", "李建国、周强", "（民政科）", ""];
  const many: Row[] = Array.from({ length: 301 }, (_, i) => ({
    id: `IN-2026-${String(i + 1).padStart(4, "0")}`,
    title: titles[i % titles.length],
    holder: holders[i % holders.length],
    due: i % 7 === 0 ? null : `2026-03-${String((i % 28) + 1).padStart(2, "0")}`,
  }));

  /** Display column at which each of `cells` starts in `line` (cells searched left to right). */
  function starts(line: string, cells: string[]): number[] {
    const out: number[] = [];
    let from = 0;
    for (const c of cells) {
      const i = line.indexOf(c, from);
      expect(i, `${JSON.stringify(c)} in ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(0);
      out.push(displayWidth(line.slice(0, i)));
      from = i + c.length;
    }
    return out;
  }

  it("uses the plain layout, and every data line aligns with the header", () => {
    const out = toTable(COLS, many, { color: false });
    const lines = out.trimEnd().split("\n");
    expect(out).not.toContain("│");
    expect(lines).toHaveLength(many.length + 2);
    const headerStarts = starts(
      lines[0] ?? "",
      COLS.map((c) => c.header),
    );
    expect(headerStarts[0]).toBe(0);
    const rule = lines[1] ?? "";
    expect(rule).toMatch(/^-+( {2}-+)*$/);
    // the rule's dashes start where the columns start
    expect([...rule.matchAll(/-+/g)].map((m) => m.index)).toEqual(headerStarts);
    many.forEach((r, k) => {
      const line = lines[k + 2] ?? "";
      const present = COLS.map((c, j) => [j, String(r[c.key] ?? "")] as const).filter(([, v]) => v !== "");
      const got = starts(
        line,
        present.map(([, v]) => v),
      );
      expect(got).toEqual(present.map(([j]) => headerStarts[j]));
      expect(displayWidth(line)).toBeLessThanOrEqual(displayWidth(rule));
      expect(line).toBe(line.trimEnd());
    });
  });

  it("puts a multi-line cell on one line", () => {
    const rows = [...many, { id: "IN-2026-9999", title: "第一行\n第二行", holder: "x", due: "2026-03-05" }];
    const lines = toTable(COLS, rows, { color: false }).trimEnd().split("\n");
    expect(lines).toHaveLength(rows.length + 2);
    expect(lines.at(-1)).toContain("第一行 第二行");
  });

  it("300 rows is still boxed", () => {
    expect(toTable(COLS, many.slice(0, 300), { color: false })).toContain("│");
  });

  it("groups: one layout for all, a shared row printed under each of its groups", () => {
    const [a, b, c] = [ROWS[0], ROWS[2], ROWS[4]] as [Row, Row, Row];
    const groups = [
      { heading: "\n城管科 (2)", rows: [a, b] },
      { heading: "\n李建国 (2)", rows: [b, c] },
    ];
    const lines = groupedPlainTable(COLS, groups).split("\n");
    expect(lines.at(-1)).toBe("");
    const alone = plainLayout(COLS, [a, b, c]);
    // The same header, rule and lines as the three rows laid out together.
    expect(lines.slice(0, -1)).toEqual([
      "",
      "城管科 (2)",
      alone.header,
      alone.rule,
      alone.lines[0],
      alone.lines[1],
      "",
      "李建国 (2)",
      alone.header,
      alone.rule,
      alone.lines[1],
      alone.lines[2],
    ]);
  });

  it("groups are box-drawn each up to 300 rows in all, then laid out as one plain table", () => {
    const small = [
      { heading: "\n城管科 (2)", rows: many.slice(0, 2) },
      { heading: "\n李建国 (1)", rows: many.slice(1, 2) },
    ];
    expect(groupedTable(COLS, small, { color: false })).toBe(
      `\n城管科 (2)\n${toTable(COLS, many.slice(0, 2), { color: false })}\n李建国 (1)\n${toTable(COLS, many.slice(1, 2), { color: false })}`,
    );
    const large = [
      { heading: "\n城管科 (200)", rows: many.slice(0, 200) },
      { heading: "\n李建国 (101)", rows: many.slice(100, 201) },
    ];
    expect(groupedTable(COLS, large, { color: false })).toBe(groupedPlainTable(COLS, large));
    expect(groupedTable(COLS, large, { color: false })).not.toContain("│");
  });
});

describe("render", () => {
  it("dispatches on the format", () => {
    expect(render("csv", COLS, ROWS, { color: false })).toBe(toCsv(COLS, ROWS));
    expect(render("markdown", COLS, ROWS, { color: false })).toBe(toMarkdown(COLS, ROWS));
    expect(render("table", COLS, ROWS, { color: false })).toBe(toTable(COLS, ROWS, { color: false }));
    expect(JSON.parse(render("json", COLS, ROWS.slice(0, 1), { color: false }))).toEqual(ROWS.slice(0, 1));
    expect(render("json", COLS, ROWS, { color: false, data: { n: 1 } })).toBe('{\n  "n": 1\n}\n');
  });
});
