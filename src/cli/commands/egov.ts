import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatInstant, isIsoDate, officeDate, yearOf } from "../../core/dates.js";
import { type Checkin, egovStatus } from "../../core/egov.js";
import { failed, usageError } from "../../core/problems.js";
import { writeFileAtomic } from "../../store/atomic.js";
import { git } from "../../store/git.js";
import { LOCAL_DIR } from "../../store/registry.js";
import { transact } from "../../store/transact.js";
import { parseYamlText, toYaml } from "../../store/yaml-io.js";
import { type Ctx, identityOf } from "../context.js";
import { EXIT } from "../errors.js";
import { freeText } from "../fields.js";
import { nameOf } from "../present.js";
import type { Registrar } from "../registrar.js";
import { printRows } from "../table-output.js";

/** E-gov receive checks of one day: `egov/<year>/<date>.yaml`, one commit per check-in. */
const checkinRel = (date: string) => `egov/${date.slice(0, 4)}/${date}.yaml`;

function readCheckins(ctx: Ctx, date: string): Checkin[] {
  const rel = checkinRel(date);
  const text = ctx.reg.readText(rel);
  if (text === undefined) return [];
  const y = parseYamlText(text, rel);
  const list = (y.value as { checkins?: Checkin[] } | null)?.checkins;
  return Array.isArray(list) ? list : [];
}

export function registerEgov(r: Registrar): void {
  const { program, d, run } = r;
  const egov = program.command("egov").description(d("help.egov"));

  egov
    .command("checkin")
    .description(d("help.egov-checkin"))
    .option("--at <datetime>", d("help.opt-at"))
    .option("--note <text>", d("help.opt-note"))
    .action(run(runEgovCheckin));

  egov
    .command("status")
    .description(d("help.egov-status"))
    .option("--date <date>", d("help.opt-date"))
    .option("--check", d("help.opt-egov-check"))
    .action(run(runEgovStatus));

  program
    .command("backup")
    .description(d("help.backup"))
    .option("--to <dir>", d("help.opt-backup-to"))
    .action(run(runBackup));
}

/** `office-doc egov checkin`. */
export async function runEgovCheckin(ctx: Ctx, opts: { at?: string; note?: string }): Promise<number> {
  const { actor, recorder } = await ctx.actors();
  const office = ctx.office();
  const at = opts.at ? await ctx.pastInstant("--at", opts.at) : ctx.now();
  const note = freeText("--note", opts.note) || undefined;
  const date = officeDate(at, office.timezone);
  const stamp = formatInstant(at, office.timezone);
  await transact(ctx.reg, "egov-checkin", async (tx) => {
    const list = readCheckins(ctx, date);
    const entry: Checkin = { at: stamp, by: actor.id };
    if (recorder.id !== actor.id) entry.recorded_by = recorder.id;
    if (note) entry.note = note;
    list.push(entry);
    list.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    tx.put(checkinRel(date), toYaml({ date, checkins: list }));
    await tx.commit({
      action: "egov-checkin",
      subject: `egov checkin ${stamp}`,
      author: identityOf(actor),
      committer: identityOf(recorder),
      actorId: actor.id,
      recorderId: recorder.id,
      authorDate: stamp,
      committerDate: ctx.stamp(),
    });
  });
  ctx.say(ctx.t("egov.checked-in", { at: stamp.slice(0, 16).replace("T", " "), name: actor.name }));
  return 0;
}

/** `office-doc egov status`. */
export async function runEgovStatus(ctx: Ctx, opts: { date?: string; check?: boolean }): Promise<number> {
  if (opts.date !== undefined && !isIsoDate(opts.date))
    throw usageError("cli.bad-date", { option: "--date", value: opts.date });
  const office = ctx.office();
  const date = opts.date ?? ctx.today();
  const status = egovStatus(
    date,
    readCheckins(ctx, date),
    office.egov,
    ctx.reg.calendar(),
    ctx.now(),
    office.timezone,
  );
  const missed = status.windows.some((w) => w.missed);
  // A day of a year without the State Council's notice: working or not by the statute alone.
  const provisional = !ctx.reg.calendar().covers(yearOf(date));
  const note = {
    date,
    year: yearOf(date),
    kind: ctx.t(status.working_day ? "calendar.working" : "calendar.rest"),
  };
  const calendarNote = provisional ? ctx.t("calendar.provisional-day", note) : undefined;
  if (provisional) ctx.warn("calendar.provisional-day", note);
  if (ctx.json)
    ctx.out(JSON.stringify(calendarNote ? { ...status, calendar_warning: calendarNote } : status, null, 2));
  else {
    if (!status.working_day) ctx.say(ctx.t("egov.not-working-day", { date }));
    const rows = status.windows.map((w) => ({
      time: w.time,
      checked_at: w.checked_at
        ? `${w.checked_at.slice(11, 16)} ${w.checked_by ? nameOf(office, w.checked_by) : ""}`
        : "",
      state: ctx.t(w.missed ? "egov.missed" : w.checked_at ? "egov.checked" : "egov.pending"),
    }));
    const cols = ["time", "checked_at", "state"].map((k) => ({
      key: k,
      header: ctx.t(`col.egov-${k}` as never),
    }));
    await printRows(ctx, cols, rows, { data: status });
  }
  // For cron: each missed window named on stderr (stdout may go to /dev/null; cron mails the rest).
  if (opts.check)
    for (const w of status.windows.filter((x) => x.missed)) {
      const [h, m] = w.time.split(":").map(Number) as [number, number];
      const end = h * 60 + m + office.egov.grace_minutes;
      const until = `${String(Math.floor(end / 60)).padStart(2, "0")}:${String(end % 60).padStart(2, "0")}`;
      ctx.warn(w.checked_at ? "egov.window-late" : "egov.window-missed", {
        date,
        time: w.time,
        until,
        at: w.checked_at?.slice(11, 16) ?? "",
      });
    }
  return opts.check && missed ? EXIT.overdue : EXIT.ok;
}

/** `office-doc backup`. */
export async function runBackup(ctx: Ctx, opts: { to?: string }): Promise<number> {
  if (!opts.to) throw usageError("cli.missing-options", { options: "--to" });
  ctx.reg.ensureExists();
  const dir = resolve(ctx.cwd, opts.to);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw failed("backup.cannot-create", { dir, message: (e as Error).message });
  }
  const stamp = formatInstant(ctx.now(), ctx.tz()).slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  const file = join(dir, `office-doc-${stamp}.bundle`);
  await git(ctx.reg.dir, ["bundle", "create", "--quiet", file, "--all"]);
  await git(ctx.reg.dir, ["bundle", "verify", "--quiet", file]);
  writeFileAtomic(ctx.reg.path(LOCAL_DIR, "last-backup.json"), JSON.stringify({ at: ctx.now(), file }));
  ctx.out(file);
  ctx.say(ctx.t("backup.done", { file }));
  return 0;
}
