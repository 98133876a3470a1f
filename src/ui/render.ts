import { escapeControls } from "../core/text.js";
// The loader of the vendored libraries lives with the store; cli-table3 is one of them.
import { cliTable } from "../store/lazy.js";
import { palette, type Tone } from "./color.js";
import { csvCell } from "./spreadsheet.js";
import { cutToWidth, measure, truncateToWidth } from "./width.js";

export { displayWidth } from "./width.js";

export type Format = "table" | "json" | "csv" | "markdown" | "xlsx";
export const FORMATS: readonly Format[] = ["table", "json", "csv", "markdown", "xlsx"];

/**
 * A column of a listing. Every table declares what may go when the terminal is narrow: columns with
 * a higher `priority` are dropped first, and columns with `shrink` are cut (with an ellipsis) down to
 * that many display columns before anything is dropped.
 */
export interface Column {
  key: string;
  header: string;
  /** A number column: right-aligned in tables and Markdown, numbers (never text) in CSV and xlsx. */
  numeric?: boolean;
  /** 1 (the default) is always shown; 2, 3, … are dropped, highest first, until the table fits. */
  priority?: number;
  /** The narrowest (display columns) the column may be cut to; without it, never cut to fit. */
  shrink?: number;
  /** A shorter header, used when the table is too wide for the terminal (`Days` for `Days overdue`). */
  short?: string;
  /**
   * The colour of a row's cell in this column at a terminal (the supervision ledger's warning light):
   * the text stays, so every other format, and a terminal without colour, has the words.
   */
  tone?: (row: Row) => Tone | undefined;
}

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

/** How a table is laid out: colour codes (a terminal), and the terminal's width (none: unlimited). */
export interface TableOptions {
  color: boolean;
  /** Display columns available; undefined when the output is not a terminal. */
  width?: number | undefined;
}

const text = (c: Cell) => (c === null || c === undefined ? "" : String(c));

/**
 * The widest a table cell is shown, whatever the terminal (display columns; 40 Chinese characters):
 * a listing's time and size never depend on one record's size. CSV, Markdown, xlsx and JSON carry
 * the whole text.
 */
export const CELL_MAX_WIDTH = 80;
/**
 * Code units of a cell looked at, at most: four per column is more than text shown in CELL_MAX_WIDTH
 * columns needs (a run of zero-width marks longer than that is cut all the same).
 */
const CELL_MAX_UNITS = CELL_MAX_WIDTH * 4;

/**
 * A cell of a table as shown, with its display width: on one line (line breaks and tabs become a
 * space), other control and bidi characters escaped (`\x1b`, `\u202e`), at most CELL_MAX_WIDTH
 * columns (cut with an ellipsis).
 */
export function tableCell(c: Cell): { text: string; width: number } {
  let s = text(c);
  let cut = false;
  if (s.length > CELL_MAX_UNITS) {
    const hi = s.charCodeAt(CELL_MAX_UNITS - 1);
    s = s.slice(0, hi >= 0xd800 && hi <= 0xdbff ? CELL_MAX_UNITS - 1 : CELL_MAX_UNITS);
    cut = true;
  }
  let w = measure(s);
  if (w < 0) {
    s = escapeControls(s.replace(/[^\S\n\r\t]*[\r\n\t][\s]*/g, " "));
    w = measure(s);
  }
  return cut || w > CELL_MAX_WIDTH ? truncateToWidth(s, CELL_MAX_WIDTH, cut) : { text: s, width: w };
}

/** RFC 4180 CSV with a byte-order mark, so Excel opens Chinese text intact; every cell csvCell. */
export function toCsv(columns: Column[], rows: Row[]): string {
  const lines = [
    columns.map((c) => csvCell(c.header)).join(","),
    ...rows.map((r) => columns.map((c) => csvCell(r[c.key], c.numeric)).join(",")),
  ];
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

/** A Markdown cell: on its line (`<br>` for a line break), `|` escaped, controls escaped. */
function markdownCell(c: Cell): string {
  const s = text(c).replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>").replace(/\t/g, " ");
  return escapeControls(s);
}

/** A GitHub-flavoured Markdown table; number columns right-aligned. */
export function toMarkdown(columns: Column[], rows: Row[]): string {
  const head = `| ${columns.map((c) => markdownCell(c.header)).join(" | ")} |`;
  const rule = `| ${columns.map((c) => (c.numeric ? "---:" : "---")).join(" | ")} |`;
  const body = rows.map((r) => `| ${columns.map((c) => markdownCell(r[c.key])).join(" | ")} |`);
  return `${[head, rule, ...body].join("\n")}\n`;
}

/** Above this many rows cli-table3 (~0.3 ms a row) gives way to a plain aligned layout. */
const BOXED_TABLE_MAX_ROWS = 300;

/**
 * A table after fitting: every column's cells as shown (flat, row by row, the header first: cell
 * `r * n + i` is column i of row r - 1), their display widths, and which columns are shown (indices)
 * how wide. Cells of hidden columns are left as they were measured.
 */
interface Fitted {
  n: number;
  columns: readonly Column[];
  rows: readonly Row[];
  shown: number[];
  widths: number[];
  cells: string[];
  cellWidths: number[];
}

/**
 * Which columns to show and how wide, for a table whose columns are `natural` wide (their widest
 * cell) in `max` display columns, `chrome(n)` of them taken by borders and gaps between n columns.
 * Columns are dropped by priority (the highest number first, the rightmost of equals first) while
 * the table does not fit with every `shrink` column at its narrowest; then the `shrink` columns are
 * cut, the least important first (the widest of equals first), each no narrower than its `shrink`.
 * When only priority-1 columns are left and they still do not fit, the table is as narrow as it may
 * be and the terminal wraps it. Returns the indices of the columns shown and their widths.
 */
export function fitColumns(
  columns: readonly Column[],
  natural: readonly number[],
  max: number | undefined,
  chrome: (n: number) => number,
): { shown: number[]; widths: number[] } {
  let shown = columns.map((_, i) => i);
  const nat = (i: number) => natural[i] as number;
  const prio = (i: number) => columns[i]?.priority ?? 1;
  const least = (i: number) => Math.min(nat(i), columns[i]?.shrink ?? nat(i));
  const sum = (ix: number[], f: (i: number) => number) => ix.reduce((n, i) => n + f(i), 0);
  if (max === undefined || sum(shown, nat) + chrome(shown.length) <= max)
    return { shown, widths: shown.map(nat) };
  while (sum(shown, least) + chrome(shown.length) > max) {
    let drop = -1;
    for (const i of shown) if (prio(i) > 1 && (drop < 0 || prio(i) >= prio(drop))) drop = i;
    if (drop < 0) break;
    shown = shown.filter((i) => i !== drop);
  }
  const widths = shown.map(nat);
  let over = sum(shown, nat) + chrome(shown.length) - max;
  while (over > 0) {
    let best = -1;
    for (let k = 0; k < shown.length; k++) {
      const i = shown[k] as number;
      if ((widths[k] as number) <= least(i)) continue;
      const b = best < 0 ? -1 : (shown[best] as number);
      if (
        best < 0 ||
        prio(i) > prio(b) ||
        (prio(i) === prio(b) && (widths[k] as number) > (widths[best] as number))
      )
        best = k;
    }
    if (best < 0) break;
    widths[best] = (widths[best] as number) - 1;
    over--;
  }
  return { shown, widths };
}

/**
 * Cells of every column measured (tableCell), the table fitted to `max` (fitColumns), and the cells
 * of the columns that were cut, cut. No object per cell: with 5,000 rows × 7 columns this is the
 * cost of a listing.
 */
function fitTable(
  columns: readonly Column[],
  rows: readonly Row[],
  max: number | undefined,
  chrome: (n: number) => number,
): Fitted {
  const n = columns.length;
  const keys = columns.map((c) => c.key);
  // Packed arrays filled by push (the header's places first): a preallocated holey one is slower.
  const cells: string[] = [];
  const widths: number[] = [];
  const natural: number[] = columns.map(() => 0);
  for (let i = 0; i < n; i++) {
    cells.push("");
    widths.push(0);
  }
  for (const r of rows)
    for (let i = 0; i < n; i++) {
      const v = r[keys[i] as string];
      // The common case without a call: short text with nothing to escape.
      let w = typeof v === "string" && v.length <= CELL_MAX_WIDTH ? measure(v) : -1;
      if (w >= 0 && w <= CELL_MAX_WIDTH) cells.push(v as string);
      else {
        const t = tableCell(v);
        cells.push(t.text);
        w = t.width;
      }
      widths.push(w);
      if (w > (natural[i] as number)) natural[i] = w;
    }
  // The header's cells, short ones when the full ones make the table too wide.
  const head = columns.map((c) => tableCell(c.header));
  const full = natural.reduce((a, w, i) => a + Math.max(w, (head[i] as { width: number }).width), 0);
  if (max !== undefined && full + chrome(n) > max)
    columns.forEach((c, i) => {
      if (c.short !== undefined) head[i] = tableCell(c.short);
    });
  head.forEach((h, i) => {
    cells[i] = h.text;
    widths[i] = h.width;
    if (h.width > (natural[i] as number)) natural[i] = h.width;
  });
  const { shown, widths: colWidths } = fitColumns(columns, natural, max, chrome);
  shown.forEach((i, j) => {
    const limit = colWidths[j] as number;
    if (limit >= (natural[i] as number)) return;
    for (let c = i; c < cells.length; c += n)
      if ((widths[c] as number) > limit) {
        const t = cutToWidth(cells[c] as string, limit);
        cells[c] = t.text;
        widths[c] = t.width;
      }
  });
  return { n, columns, rows, shown, widths: colWidths, cells, cellWidths: widths };
}

const plainChrome = (n: number) => 2 * Math.max(0, n - 1);
const boxedChrome = (n: number) => 3 * n + 1;

/**
 * The cell `c` (flat index, see Fitted) as shown: coloured by its column's `tone` when `color`, after
 * it was measured and cut (the colour codes take no columns).
 */
function shownCell(f: Fitted, c: number, color: boolean): string {
  const text = f.cells[c] as string;
  const column = f.columns[c % f.n];
  const row = f.rows[Math.floor(c / f.n) - 1];
  if (!color || !column?.tone || !row) return text;
  const tone = column.tone(row);
  return tone ? palette(true).tone(tone, text) : text;
}

/**
 * The plain aligned layout: the header and its rule, and one line per row, every column as wide as
 * its widest cell (number columns right-aligned), fitted to `width` display columns when given;
 * cells coloured by their column's `tone` when `color`.
 */
export function plainLayout(
  columns: Column[],
  rows: Row[],
  width?: number,
  color = false,
): { header: string; rule: string; lines: string[] } {
  const f = fitTable(columns, rows, width, plainChrome);
  const { n, shown, cellWidths } = f;
  const m = shown.length;
  const right = shown.map((i) => f.columns[i]?.numeric === true);
  const pad = " ".repeat(Math.max(0, ...f.widths) + 2);
  const lines: string[] = [];
  for (let k = 0; k < f.cells.length; k += n) {
    let line = "";
    for (let j = 0; j < m; j++) {
      const c = k + (shown[j] as number);
      const gap = (f.widths[j] as number) - (cellWidths[c] as number);
      const cell = shownCell(f, c, color);
      if (right[j]) line += pad.slice(0, gap) + cell;
      else line += cell + (j < m - 1 ? pad.slice(0, gap) : "");
      if (j < m - 1) line += "  ";
    }
    lines.push(line.endsWith(" ") ? line.trimEnd() : line);
  }
  const header = lines.shift() ?? "";
  return { header, rule: f.widths.map((w) => "-".repeat(w)).join("  "), lines };
}

function plainTable(columns: Column[], rows: Row[], width?: number, color = false): string {
  const { header, rule, lines } = plainLayout(columns, rows, width, color);
  return `${header}\n${rule}\n${lines.length ? `${lines.join("\n")}\n` : ""}`;
}

/** A heading above a table: controls escaped, each line cut to the terminal's width. */
export function headingLine(s: string, width?: number): string {
  return s
    .split("\n")
    .map((l) => (width === undefined ? escapeControls(l) : truncateToWidth(escapeControls(l), width).text))
    .join("\n");
}

/**
 * Groups of rows under their headings, laid out plainly as one table: the columns line up from group
 * to group, and a row object shared by several groups is laid out once and printed under each.
 */
export function groupedPlainTable(
  columns: Column[],
  groups: { heading: string; rows: Row[] }[],
  width?: number,
): string {
  const unique = [...new Set(groups.flatMap((g) => g.rows))];
  const { header, rule, lines } = plainLayout(columns, unique, width);
  const lineOf = new Map(unique.map((r, i) => [r, lines[i] as string]));
  const out: string[] = [];
  for (const g of groups) {
    out.push(headingLine(g.heading, width), header, rule);
    for (const r of g.rows) out.push(lineOf.get(r) as string);
  }
  return `${out.join("\n")}\n`;
}

/**
 * Groups of rows under their headings: each group box-drawn, all with the same columns as wide as
 * the widest cell of any group (fitted once to the terminal), or, when they hold more rows than a
 * boxed table does, all laid out plainly as one table.
 */
export function groupedTable(
  columns: Column[],
  groups: { heading: string; rows: Row[] }[],
  opts: TableOptions,
): string {
  if (groups.reduce((n, g) => n + g.rows.length, 0) > BOXED_TABLE_MAX_ROWS)
    return groupedPlainTable(columns, groups, opts.width);
  const unique = [...new Set(groups.flatMap((g) => g.rows))];
  const f = fitTable(columns, unique, opts.width, boxedChrome);
  const at = new Map(unique.map((r, i) => [r, i]));
  return groups
    .map(
      (g) =>
        `${headingLine(g.heading, opts.width)}\n${boxed(
          f,
          g.rows.map((r) => at.get(r) as number),
          opts.color,
        )}`,
    )
    .join("");
}

/** The rows `rows` (indices into the fitted rows) of a fitted table, box-drawn by cli-table3. */
function boxed(f: Fitted, rows: readonly number[], color: boolean): string {
  const Table = cliTable();
  const cellsOf = (r: number) => f.shown.map((i) => shownCell(f, r * f.n + i, color));
  const table = new Table({
    head: cellsOf(0),
    colWidths: f.widths.map((w) => w + 2),
    colAligns: f.shown.map((i) => (f.columns[i]?.numeric ? "right" : "left")),
    style: color ? { head: ["cyan"], border: ["grey"] } : { head: [], border: [] },
    wordWrap: false,
    // No rule between rows: long lists stay readable on one screen.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const r of rows) table.push(cellsOf(r + 1));
  return `${table.toString()}\n`;
}

/**
 * A table for people: box-drawn by cli-table3 (which measures wide characters), plain when long;
 * fitted to `opts.width` columns when given (see fitColumns), every cell tableCell.
 */
export function toTable(columns: Column[], rows: Row[], opts: TableOptions): string {
  if (rows.length > BOXED_TABLE_MAX_ROWS) return plainTable(columns, rows, opts.width, opts.color);
  return boxed(
    fitTable(columns, rows, opts.width, boxedChrome),
    rows.map((_, i) => i),
    opts.color,
  );
}

/**
 * Rows in `format` as text; `data` is what JSON prints (defaults to the rows). xlsx is a binary
 * workbook: see spreadsheet.ts toXlsx.
 */
export function render(
  format: Exclude<Format, "xlsx">,
  columns: Column[],
  rows: Row[],
  opts: TableOptions & { data?: unknown },
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(opts.data ?? rows, null, 2)}\n`;
    case "csv":
      return toCsv(columns, rows);
    case "markdown":
      return toMarkdown(columns, rows);
    case "table":
      return toTable(columns, rows, opts);
  }
}
