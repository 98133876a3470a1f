import {
  Calendar,
  type CalendarYear,
  holidayName,
  MAKE_UP_DAY,
  statutoryYear,
  validateCalendarYear,
} from "../../core/calendar.js";
import { addDays, dayOfWeek, isIsoDate, yearOf } from "../../core/dates.js";
import { refreshDerived } from "../../core/engine.js";
import { OfficeError, refused, usageError } from "../../core/problems.js";
import { orderedRecord, summarize } from "../../core/record.js";
import { calendarYearYaml } from "../../store/init.js";
import { chineseDaysLunar } from "../../store/lunar.js";
import { recordRel } from "../../store/registry.js";
import { type Transaction, transact } from "../../store/transact.js";
import { parseYamlText, placeProblems, readYamlFile, toYaml } from "../../store/yaml-io.js";
import type { Ctx } from "../context.js";
import { oneLine } from "../fields.js";
import { confirmAtTerminal } from "../prompts.js";
import type { Registrar } from "../registrar.js";
import { setupCommit } from "../service.js";
import { printRows } from "../table-output.js";

/**
 * After the calendar changed: every open record's due date is computed again on the new calendar,
 * in the same commit, so no record keeps a deadline from the old one. Returns the records changed.
 */
async function recomputeOpenDues(ctx: Ctx, tx: Transaction, years: CalendarYear[]): Promise<string[]> {
  const byYear = new Map(ctx.reg.calendarYears().map((y) => [y, y]));
  const all: CalendarYear[] = [];
  for (const y of byYear.keys()) if (!years.some((c) => c.year === y)) all.push(ctx.reg.readCalendarYear(y));
  all.push(...years);
  const calendar = new Calendar(all, chineseDaysLunar);
  const office = ctx.office();
  const changed: string[] = [];
  for (const s of tx.index.open.values()) {
    const wf = ctx.reg.workflow(s.kind);
    const rel = recordRel(s.kind, s.id);
    const { record } = ctx.reg.readRecord(rel, s.id, s.kind);
    const before = `${record.due}|${record.deadline}`;
    refreshDerived(record, { office, wf, calendar });
    if (`${record.due}|${record.deadline}` === before) continue;
    tx.put(rel, toYaml(orderedRecord(record, wf)));
    tx.summary(summarize(record, wf));
    changed.push(s.id);
  }
  return changed;
}

async function commitCalendar(
  ctx: Ctx,
  years: CalendarYear[],
  action: string,
  subject: string,
): Promise<void> {
  const who = await ctx.setupActor(action.replace("-", " "));
  const changed = await transact(ctx.reg, action, async (tx) => {
    for (const cy of years) tx.put(`calendar/${cy.year}.yaml`, calendarYearYaml(cy));
    const ids = await recomputeOpenDues(ctx, tx, years);
    await tx.commit(
      setupCommit(
        ctx,
        who,
        action,
        ids.length ? `${subject} (${ids.length} due dates recomputed)` : subject,
        {
          ...(ids.length ? { trailers: { "Office-Doc-Records": ids.join(", ") } } : {}),
        },
      ),
    );
    return ids;
  });
  ctx.reg.forget();
  ctx.say(ctx.t("calendar.saved", { years: years.map((y) => y.year).join(", "), n: changed.length }));
  if (changed.length) ctx.say(changed.join(" "));
}

/**
 * A year the calendar did not cover, started by `calendar set --create-year` to enter the State
 * Council's notice: its statutory holidays (certain), not the make-up days the provisional calendar
 * guesses (the notice places them), so that a day entered first never leaves New Year's Day a
 * working day.
 */
function startedYear(year: number): CalendarYear {
  const rest: CalendarYear["rest"] = {};
  for (const [d, name] of Object.entries(statutoryYear(year, chineseDaysLunar).rest))
    if (!name.includes(MAKE_UP_DAY)) rest[d] = name;
  return {
    year,
    source: "entered with office-doc calendar set, from the statutory holidays",
    rest,
    work: {},
  };
}

export function registerCalendar(r: Registrar): void {
  const { program, d, run } = r;
  const cal = program.command("calendar").description(d("help.calendar"));

  cal
    .command("show")
    .description(d("help.calendar-show"))
    .argument("[month]", d("help.arg-month"))
    .action(run(runCalShow));

  cal.command("years").description(d("help.calendar-years")).action(run(runCalYears));

  cal
    .command("set")
    .description(d("help.calendar-set"))
    .argument("<dates...>", d("help.arg-dates"))
    .option("--rest", d("help.opt-cal-rest"))
    .option("--work", d("help.opt-cal-work"))
    .option("--clear", d("help.opt-cal-clear"))
    .option("--name <name>", d("help.opt-cal-name"))
    .option("--create-year", d("help.opt-create-year"))
    .action(run(runCalSet));

  cal
    .command("import")
    .description(d("help.calendar-import"))
    .addHelpText("after", `\n${d("help.calendar-import-format")}`)
    .argument("<file>", d("help.arg-file"))
    .action(run(runCalImport));
}

/** `office-doc cal show`. */
export async function runCalShow(ctx: Ctx, month: string | undefined): Promise<number> {
  const m = month ?? ctx.today().slice(0, 7);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(m)) throw usageError("cli.bad-month", { value: m });
  const calendar = ctx.reg.calendar();
  const days: { date: string; kind: string; working: boolean; name: string | null }[] = [];
  for (let day = `${m}-01`; day.startsWith(m); day = addDays(day, 1))
    days.push({
      date: day,
      kind: calendar.dayKind(day),
      working: calendar.isWorkingDay(day),
      name: calendar.dayName(day) ?? null,
    });
  const covered = calendar.covers(yearOf(`${m}-01`));
  if (!covered) ctx.warn("deadline.uncovered-years", { years: m.slice(0, 4) });
  if (ctx.json) {
    ctx.out(JSON.stringify({ month: m, covered, days }, null, 2));
    return 0;
  }
  const heads =
    ctx.lang === "zh-CN"
      ? ["一", "二", "三", "四", "五", "六", "日"]
      : ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
  const mark = {
    workday: " ",
    weekend: " ",
    holiday: ctx.lang === "zh-CN" ? "休" : "H",
    "adjusted-workday": ctx.lang === "zh-CN" ? "班" : "W",
  };
  const lines = [
    `${m}${covered ? "" : " (!)"}`,
    heads.map((h) => h.padStart(ctx.lang === "zh-CN" ? 3 : 4)).join(" "),
  ];
  let row: string[] = Array((dayOfWeek(`${m}-01`) + 6) % 7).fill("    ");
  for (const x of days) {
    row.push(`${x.date.slice(8).replace(/^0/, " ")}${mark[x.kind as keyof typeof mark]}`.padStart(4));
    if (row.length === 7) {
      lines.push(row.join(" "));
      row = [];
    }
  }
  if (row.length) lines.push(row.join(" "));
  lines.push("");
  for (const x of days)
    if (x.name)
      lines.push(
        `${x.date}  ${x.working ? ctx.t("calendar.working") : ctx.t("calendar.rest")}  ${holidayName(x.name, ctx.lang)}${covered ? "" : ` (${ctx.t("calendar.provisional-name")})`}`,
      );
  lines.push(ctx.t("calendar.legend"));
  ctx.out(lines.join("\n"));
  return 0;
}

/** `office-doc cal years`. */
export async function runCalYears(ctx: Ctx): Promise<number> {
  const rows = ctx.reg.calendarYears().map((y) => {
    const cy = ctx.reg.readCalendarYear(y);
    return {
      year: y,
      rest: Object.keys(cy.rest).length,
      work: Object.keys(cy.work).length,
      source: cy.source ?? "",
    };
  });
  const cols = ["year", "rest", "work", "source"].map((k) => ({
    key: k,
    header: ctx.t(`col.cal-${k}` as never),
  }));
  await printRows(ctx, cols, rows);
  return 0;
}

/** `office-doc cal set`. */
export async function runCalSet(
  ctx: Ctx,
  dates: string[],
  opts: { rest?: boolean; work?: boolean; clear?: boolean; name?: string; createYear?: boolean },
): Promise<number> {
  const modes = [opts.rest, opts.work, opts.clear].filter(Boolean).length;
  if (modes !== 1) throw usageError("cli.calendar-one-mode");
  const name = oneLine("--name", opts.name);
  const expanded: string[] = [];
  for (const x of dates) {
    const [a, b] = x.split("..");
    if (!a || !isIsoDate(a) || (b !== undefined && !isIsoDate(b)))
      throw usageError("cli.bad-date", { option: "DATE", value: x });
    if (b !== undefined && b < a) throw usageError("calendar.range-reversed", { range: x });
    for (let dd = a; dd <= (b ?? a); dd = addDays(dd, 1)) expanded.push(dd);
  }
  const known = ctx.reg.calendarYears();
  const years = new Map<number, CalendarYear>();
  const created: CalendarYear[] = [];
  /** Each known year as it was, to tell a change from a no-op. */
  const before = new Map<number, string>();
  for (const dd of expanded) {
    const y = yearOf(dd);
    if (!years.has(y)) {
      if (known.includes(y)) {
        years.set(y, ctx.reg.readCalendarYear(y));
        before.set(y, calendarYearYaml(years.get(y) as CalendarYear));
      } else if (
        opts.createYear ||
        (ctx.interactive && (await confirmAtTerminal(ctx.t("calendar.confirm-create-year", { year: y }))))
      ) {
        years.set(y, startedYear(y));
        created.push(years.get(y) as CalendarYear);
      } else throw refused("calendar.year-not-covered", { year: y });
    }
    const cy = years.get(y) as CalendarYear;
    delete cy.rest[dd];
    delete cy.work[dd];
    if (opts.rest) cy.rest[dd] = name ?? "";
    if (opts.work) cy.work[dd] = name ?? "";
  }
  const list = [...years.values()];
  // A day set to what it already was changes nothing: say so, and commit nothing.
  if (!created.length && list.every((cy) => before.get(cy.year) === calendarYearYaml(cy))) {
    ctx.say(ctx.t("calendar.unchanged", { years: list.map((cy) => cy.year).join(", ") }));
    return 0;
  }
  for (const cy of list) {
    const y = parseYamlText(calendarYearYaml(cy), `calendar/${cy.year}.yaml`);
    const { problems } = validateCalendarYear(y.value, cy.year);
    if (problems.length)
      throw new OfficeError("usage", "calendar.invalid", {}, placeProblems(y, problems), y.file);
  }
  const mode = opts.rest ? "rest" : opts.work ? "work" : "clear";
  await commitCalendar(ctx, list, "calendar-set", `calendar set ${mode}: ${dates.join(" ")}`);
  for (const cy of created)
    ctx.say(
      ctx.t("calendar.year-created", {
        year: cy.year,
        n: Object.keys(startedYear(cy.year).rest).length,
      }),
    );
  return 0;
}

/** `office-doc cal import`. */
export async function runCalImport(ctx: Ctx, file: string): Promise<number> {
  const y = readYamlFile(file, file);
  const year = (y.value as { year?: unknown } | null)?.year;
  if (typeof year !== "number") throw new OfficeError("usage", "calendar.import-no-year", { file });
  const { value, problems } = validateCalendarYear(y.value, year);
  if (!value || problems.length)
    throw new OfficeError("usage", "calendar.invalid", {}, placeProblems(y, problems), file);
  if (
    ctx.reg.calendarYears().includes(year) &&
    calendarYearYaml(ctx.reg.readCalendarYear(year)) === calendarYearYaml(value)
  ) {
    ctx.say(ctx.t("calendar.unchanged", { years: year }));
    return 0;
  }
  await commitCalendar(ctx, [value], "calendar-import", `calendar import ${year}`);
  return 0;
}
