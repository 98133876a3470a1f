import { resolve } from "node:path";
import { personsWithRole } from "../core/engine.js";
import { usageError } from "../core/problems.js";
import { parseRoleGroup } from "../core/reports/overdue.js";
import { writeFileAtomic } from "../store/atomic.js";
import { type Column, groupedTable, headingLine, type Row, render } from "../ui/render.js";
import { toXlsx } from "../ui/spreadsheet.js";
import type { Ctx } from "./context.js";
import { outputColumns } from "./output.js";
import { nameOf, namesOf, roleLabel } from "./present.js";

/**
 * How listings reach the clerk: in the command's `--format`, fitted to the terminal, to stdout or
 * to `--out FILE`. Every listing goes through printRows (or printGroups), so that a new command gets
 * the escaping, the fitting and xlsx with it.
 */

export interface PrintOptions {
  /** What JSON prints instead of the rows (whole summaries, records). */
  data?: unknown;
  /** `--out FILE`: the output goes to this file (written atomically) instead of stdout. */
  out?: string | undefined;
  /** The workbook's sheet name (xlsx). */
  sheet?: string;
  /** A line above the table (format `table` only): the register's title, the overdue list's date. */
  heading?: string;
  /**
   * JSON already written (format `json`), printed instead of `data`: a report whose numbers are exact
   * decimals writes them itself (JSON.stringify would go through binary floating point).
   */
  jsonText?: string;
}

/**
 * Send a listing's text to `--out FILE` or stdout. Tables, Markdown and CSV are built from cells the
 * renderer escaped (and may hold our own colour codes): written as they are. JSON goes through
 * writeOut, which escapes the DEL, C1 and bidi characters JSON.stringify leaves raw.
 */
function emit(ctx: Ctx, text: string, out: string | undefined): void {
  if (out) {
    writeFileAtomic(resolve(ctx.cwd, out), text);
    ctx.say(ctx.t("print.written", { file: out }));
  } else if (ctx.format === "json") ctx.io.write(1, text);
  else ctx.io.writeRaw(1, text);
}

/**
 * Refuse a workbook for a terminal before any work is done: xlsx is binary, and needs `--out FILE`
 * or stdout sent to a file or pipe (exit 2).
 */
export function checkWorkbookTarget(ctx: Ctx, out: string | undefined): void {
  if (ctx.format === "xlsx" && !out && ctx.io.isTerminal(1)) throw usageError("output.xlsx-terminal");
}

/**
 * Print `rows` under `columns` in the command's format: a table fitted to the terminal (see
 * render.ts fitColumns), Markdown, CSV (no formula-like cell), JSON (`data`, or the rows), or an
 * xlsx workbook (text cells typed as text; `--out FILE`, or stdout when it is not a terminal).
 */
export async function printRows(
  ctx: Ctx,
  columns: Column[],
  rows: Row[],
  opts: PrintOptions = {},
): Promise<void> {
  if (ctx.format === "xlsx") {
    checkWorkbookTarget(ctx, opts.out);
    const bytes = await toXlsx(columns, rows, { sheet: opts.sheet ?? "office-doc" });
    if (opts.out) {
      writeFileAtomic(resolve(ctx.cwd, opts.out), bytes);
      ctx.say(ctx.t("print.written", { file: opts.out }));
    } else ctx.io.writeRaw(1, bytes);
    return;
  }
  if (ctx.format === "json" && opts.jsonText !== undefined) {
    emit(ctx, opts.jsonText, opts.out);
    return;
  }
  const terminal = ctx.format === "table" && !opts.out;
  const width = terminal ? outputColumns(ctx.env) : undefined;
  const text = render(ctx.format, columns, rows, { color: terminal && ctx.color, width, data: opts.data });
  emit(
    ctx,
    ctx.format === "table" && opts.heading ? `${headingLine(opts.heading, width)}\n${text}` : text,
    opts.out,
  );
}

/**
 * Print groups of rows under their headings as tables (format `table` only): each record once per
 * group it is in, the columns fitted to the terminal.
 */
export function printGroups(
  ctx: Ctx,
  columns: Column[],
  groups: { heading: string; rows: Row[] }[],
  opts: Pick<PrintOptions, "out" | "heading"> = {},
): void {
  const width = opts.out ? undefined : outputColumns(ctx.env);
  const text = groupedTable(columns, groups, { color: ctx.color && !opts.out, width });
  emit(ctx, opts.heading ? `${headingLine(opts.heading, width)}\n${text}` : text, opts.out);
}

/**
 * How the columns of the record listings (list, overdue) give way on a narrow terminal: the id, the
 * title, the due date and the days overdue stay; the state, the holders, the step and the kind go
 * (in that order, the last first) or are cut.
 */
const LISTING_COLUMNS: Record<string, Omit<Column, "key" | "header">> = {
  id: {},
  kind: { priority: 5, shrink: 8 },
  title: { shrink: 20 },
  step: { priority: 4, shrink: 10 },
  holders: { priority: 3, shrink: 10 },
  due: {},
  state: { priority: 2 },
  days_overdue: { numeric: true },
  working_days_overdue: { numeric: true, priority: 3 },
  // The supervision ledger (report supervision).
  light: {},
  days_left: { numeric: true },
  working_days_left: { numeric: true, priority: 3 },
};

/** The columns `keys` of a record listing, with their headers (`col.<key>`) and how they fit. */
export function listingColumns(ctx: Ctx, keys: readonly string[]): Column[] {
  return keys.map((key) => {
    const short = `col.${key}.short`;
    const s = ctx.t(short as never);
    return {
      key,
      header: ctx.t(`col.${key}` as never),
      ...(s !== short ? { short: s } : {}),
      ...LISTING_COLUMNS[key],
    };
  });
}

/**
 * The heading of a group of `n` records of the overdue list: a person's or unit's name, or a role
 * group's roles and then its members (`Office staff, Clerk (2): 于凯, 王守杰`); "nobody yet" for "".
 */
export function holderGroupLabel(ctx: Ctx, key: string, n: number): string {
  const office = ctx.office();
  const g = parseRoleGroup(key);
  if (!g)
    return ctx.t("overdue.group", { name: key === "" ? ctx.t("show.nobody-yet") : nameOf(office, key), n });
  const sep = ctx.lang === "zh-CN" ? "、" : ", ";
  const roles = g.roles.map((r) => roleLabel(office, r, ctx.lang)).join(sep);
  const people = personsWithRole(office, g.roles, g.unit).map((p) => p.id);
  return ctx.t("overdue.group-role", {
    roles: g.unit ? `${nameOf(office, g.unit)} ${roles}` : roles,
    n,
    names: namesOf(office, people, ctx.lang),
  });
}
