import { escapeChar, sanitizeForTerminal } from "../core/text.js";
import { excelJs } from "../store/lazy.js";
import type { Cell, Column, Row } from "./render.js";
import { displayWidth } from "./width.js";

/**
 * What spreadsheets get: CSV cells that cannot become formulas, and xlsx workbooks with typed cells.
 * Every CSV and workbook office-doc writes goes through here (render.ts toCsv, toXlsx).
 */

/**
 * Leading characters that make Excel, LibreOffice Calc or Google Sheets read a cell as a formula
 * (OWASP, "CSV Injection"): `=`, `+`, `-`, `@`, tab, carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * Text a spreadsheet would read as a number and so change: leading zeros dropped (`0755`, `0010`),
 * long digit strings shown as 1.38E+10 or rounded past 15 digits (phone and ID numbers).
 */
const NUMBER_LIKE = /^\s*\d[\d.,]*(?:[eE][+-]?\d+)?%?\s*$/;
/**
 * A plain decimal, signed, maybe a percentage (`-429.83`, `-7.0%`): in a number column a spreadsheet
 * reads it as the number it is, never as a formula, so it needs no `'` (an exact figure kept as text).
 */
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?%?$/;

/**
 * A text value as a spreadsheet must see it: control characters escaped (line feeds, tabs and CR LF
 * kept), then, as OWASP recommends, a `'` before text that starts like a formula, which Excel takes
 * as "this is text" and does not show. In a text column the same `'` keeps number-like text
 * (`0755`, a phone number) text; a number column's text (`95.5%`, `—`) is left for Excel to read.
 */
export function spreadsheetText(s: string, numeric = false): string {
  const t = sanitizeForTerminal(s);
  if (numeric && PLAIN_NUMBER.test(t)) return t;
  return FORMULA_START.test(t) || (!numeric && NUMBER_LIKE.test(t)) ? `'${t}` : t;
}

/**
 * One CSV field (RFC 4180): numbers as numbers (never prefixed, a negative one included), text
 * through spreadsheetText, quoted when it holds a quote, comma or line break.
 */
export function csvCell(c: Cell, numeric = false): string {
  if (c === null || c === undefined) return "";
  if (typeof c === "number") return Number.isFinite(c) ? String(c) : "";
  const s = spreadsheetText(String(c), numeric);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Excel holds at most 32,767 characters in a cell; more makes it "repair" the whole workbook. */
const XLSX_CELL_MAX = 32_000;

/**
 * Text for a typed (string) workbook cell: never a formula, so no `'` is needed; control characters
 * escaped as in CSV (XML 1.0 cannot even hold most of them), CR LF as a line feed, cut to what a
 * cell holds.
 */
export function xlsxText(s: string): string {
  let t = sanitizeForTerminal(s.length > XLSX_CELL_MAX ? `${s.slice(0, XLSX_CELL_MAX)}\u2026` : s);
  if (t.includes("\r")) t = t.replace(/\r\n/g, "\n");
  return /[\ufffe\uffff]/.test(t) ? t.replace(/[\ufffe\uffff]/g, escapeChar) : t;
}

/** A sheet name Excel accepts: none of `: \ / ? * [ ]`, at most 31 characters, not empty. */
export function sheetName(name: string): string {
  const s = xlsxText(name)
    .replace(/[:\\/?*[\]\n\t]/g, " ")
    .trim()
    .slice(0, 31);
  return s || "Sheet1";
}

/** The widest a workbook column is made to fit its text (Excel width units: ~ display columns). */
const XLSX_COLUMN_MAX = 60;

/**
 * A workbook (xlsx, Office Open XML) of one sheet: the header row bold, frozen and filtered, text
 * cells typed as text (format `@`, so that an edit stays text too), numbers as numbers, a number
 * column's `95.5%` as the percentage 0.955, each column as wide as its widest line measured in
 * display columns (a Chinese character is two), at most 60. Generic: any listing's columns and rows.
 * exceljs is loaded here, on first use (~2.4 MB).
 */
export async function toXlsx(
  columns: readonly Column[],
  rows: readonly Row[],
  opts: { sheet: string },
): Promise<Uint8Array> {
  const ExcelJS = excelJs();
  const wb = new ExcelJS.Workbook();
  wb.creator = "office-doc";
  const ws = wb.addWorksheet(sheetName(opts.sheet), { views: [{ state: "frozen", ySplit: 1 }] });
  const widths = columns.map((c) => displayWidth(xlsxText(c.header)));
  const header = ws.addRow(columns.map((c) => xlsxText(c.header)));
  header.font = { bold: true };
  for (const r of rows) {
    const percent: number[] = [];
    const fixed: [number, number][] = [];
    const values = columns.map((c, i) => {
      const v = r[c.key];
      if (v === null || v === undefined || v === "") return null;
      if (typeof v === "number") {
        widths[i] = Math.max(widths[i] as number, String(v).length);
        return Number.isFinite(v) ? v : null;
      }
      const s = xlsxText(String(v));
      const pct = c.numeric ? /^(-?\d+(?:\.\d+)?)%$/.exec(s) : null;
      if (pct) percent.push(i);
      // An exact figure written as text in a number column (`12.50`): a number shown with its decimals.
      const dec = c.numeric && !pct ? /^-?\d+(?:\.(\d+))?$/.exec(s) : null;
      if (dec) fixed.push([i, dec[1]?.length ?? 0]);
      for (const line of s.split("\n")) widths[i] = Math.max(widths[i] as number, displayWidth(line));
      return pct ? Number(pct[1]) / 100 : dec ? Number(s) : s;
    });
    const row = ws.addRow(values);
    for (const i of percent) row.getCell(i + 1).numFmt = "0.0%";
    for (const [i, places] of fixed) row.getCell(i + 1).numFmt = places ? `0.${"0".repeat(places)}` : "0";
  }
  columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    col.width = Math.min(XLSX_COLUMN_MAX, widths[i] as number) + 2;
    if (!c.numeric) col.numFmt = "@";
  });
  if (columns.length) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
