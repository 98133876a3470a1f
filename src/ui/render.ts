// The loader of the vendored libraries lives with the store; cli-table3 is one of them.
import { cliTable } from "../store/lazy.js";

export type Format = "table" | "json" | "csv" | "markdown";
export const FORMATS: readonly Format[] = ["table", "json", "csv", "markdown"];

export interface Column {
  key: string;
  header: string;
}

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

const text = (c: Cell) => (c === null || c === undefined ? "" : String(c));

/** RFC 4180 CSV with a byte-order mark, so Excel opens Chinese text intact. */
export function toCsv(columns: Column[], rows: Row[]): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map((c) => q(c.header)), ...rows.map((r) => columns.map((c) => q(text(r[c.key]))))];
  return `\ufeff${lines.map((l) => l.join(",")).join("\r\n")}\r\n`;
}

export function toMarkdown(columns: Column[], rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
  const head = `| ${columns.map((c) => esc(c.header)).join(" | ")} |`;
  const rule = `| ${columns.map(() => "---").join(" | ")} |`;
  return `${[head, rule, ...rows.map((r) => `| ${columns.map((c) => esc(text(r[c.key]))).join(" | ")} |`)].join("\n")}\n`;
}

/** Display width of a string: CJK and other wide characters take two columns. */
export function displayWidth(s: string): number {
  // A loop over char codes: thousands of cells are measured per listing, and the string iterator
  // costs several times more.
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp < 0x7f) {
      if (cp >= 0x20) w++;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (cp >= 0x300 && cp < 0x370) continue;
    w +=
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd)
        ? 2
        : 1;
  }
  return w;
}

/** Above this many rows cli-table3 (~0.3 ms a row) gives way to a plain aligned layout. */
const BOXED_TABLE_MAX_ROWS = 300;

/**
 * The plain aligned layout: the header and its rule, and one line per row, every column as wide as
 * its widest cell.
 */
export function plainLayout(
  columns: Column[],
  rows: Row[],
): { header: string; rule: string; lines: string[] } {
  // Flat arrays and one pass per row: with 5,000 rows × 7 columns the layout is the cost of a
  // listing, and arrays of arrays plus map/join per row doubled it.
  const n = columns.length;
  const cells: string[] = [];
  const widths: number[] = [];
  const colWidth: number[] = columns.map(() => 0);
  const add = (t: string, i: number) => {
    const s = t.includes("\n") ? t.replace(/\s*\n\s*/g, " ") : t;
    const w = displayWidth(s);
    cells.push(s);
    widths.push(w);
    if (w > (colWidth[i] ?? 0)) colWidth[i] = w;
  };
  columns.forEach((c, i) => add(c.header, i));
  for (const r of rows) for (let i = 0; i < n; i++) add(text(r[(columns[i] as Column).key]), i);
  const pad = " ".repeat(Math.max(0, ...colWidth) + 2);
  const lines: string[] = [];
  for (let k = 0; k < cells.length; k += n) {
    let line = "";
    for (let i = 0; i < n; i++) {
      line += cells[k + i];
      if (i < n - 1) line += pad.slice(0, (colWidth[i] ?? 0) - (widths[k + i] ?? 0) + 2);
    }
    lines.push(line.endsWith(" ") ? line.trimEnd() : line);
  }
  const header = lines.shift() ?? "";
  return { header, rule: colWidth.map((w) => "-".repeat(w)).join("  "), lines };
}

function plainTable(columns: Column[], rows: Row[]): string {
  const { header, rule, lines } = plainLayout(columns, rows);
  return `${header}\n${rule}\n${lines.length ? `${lines.join("\n")}\n` : ""}`;
}

/**
 * Groups of rows under their headings, laid out plainly as one table: the columns line up from group
 * to group, and a row object shared by several groups is laid out once and printed under each.
 */
export function groupedPlainTable(columns: Column[], groups: { heading: string; rows: Row[] }[]): string {
  const unique = [...new Set(groups.flatMap((g) => g.rows))];
  const { header, rule, lines } = plainLayout(columns, unique);
  const lineOf = new Map(unique.map((r, i) => [r, lines[i] as string]));
  const out: string[] = [];
  for (const g of groups) {
    out.push(g.heading, header, rule);
    for (const r of g.rows) out.push(lineOf.get(r) as string);
  }
  return `${out.join("\n")}\n`;
}

/**
 * Groups of rows under their headings: each group box-drawn, or, when they hold more rows than a
 * boxed table does, all laid out plainly as one table.
 */
export function groupedTable(
  columns: Column[],
  groups: { heading: string; rows: Row[] }[],
  color: boolean,
): string {
  if (groups.reduce((n, g) => n + g.rows.length, 0) > BOXED_TABLE_MAX_ROWS)
    return groupedPlainTable(columns, groups);
  return groups.map((g) => `${g.heading}\n${toTable(columns, g.rows, color)}`).join("");
}

/** A table for people: box-drawn by cli-table3 (which measures wide characters), plain when long. */
export function toTable(columns: Column[], rows: Row[], color: boolean): string {
  if (rows.length > BOXED_TABLE_MAX_ROWS) return plainTable(columns, rows);
  const Table = cliTable();
  const table = new Table({
    head: columns.map((c) => c.header),
    style: color ? { head: ["cyan"], border: ["grey"] } : { head: [], border: [] },
    wordWrap: false,
    // No rule between rows: long lists stay readable on one screen.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const r of rows) table.push(columns.map((c) => text(r[c.key])));
  return `${table.toString()}\n`;
}

/** Render rows in `format`; `data` is what JSON prints (defaults to the rows). */
export function render(
  format: Format,
  columns: Column[],
  rows: Row[],
  opts: { color: boolean; data?: unknown },
): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(opts.data ?? rows, null, 2)}\n`;
    case "csv":
      return toCsv(columns, rows);
    case "markdown":
      return toMarkdown(columns, rows);
    case "table":
      return toTable(columns, rows, opts.color);
  }
}
