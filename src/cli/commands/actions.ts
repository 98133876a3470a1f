import type { Command } from "commander";
import { isIsoDate } from "../../core/dates.js";
import {
  type ActionContext,
  type ActionResult,
  annotate,
  archiveSeries,
  extend,
  fileRecord,
  mergeInto,
  reopen,
  route,
  skip,
  withdraw,
} from "../../core/engine.js";
import type { RecordDoc, Retention } from "../../core/model.js";
import { refused, usageError } from "../../core/problems.js";
import { roleValue } from "../../core/record.js";
import { transact } from "../../store/transact.js";
import type { MessageKey } from "../../ui/i18n/keys.js";
import { type Ctx, identityOf } from "../context.js";
import { freeText, listOption } from "../fields.js";
import { printResult } from "../present.js";
import type { Registrar } from "../registrar.js";
import {
  actionContext,
  allocator,
  putRecord,
  recordAction,
  type StepOptions,
  signOrRoute,
} from "../service.js";

const RETENTIONS: readonly Retention[] = ["permanent", "30y", "10y"];

/** The options every step command and `sign` have. */
export function addStepOptions(cmd: Command, d: Registrar["d"]): Command {
  return cmd
    .option("--opinion <text>", d("help.opt-opinion"))
    .option("--decision <decision>", d("help.opt-decision"))
    .option("--to <holders>", d("help.opt-to-next"));
}

/** An action on one record that takes one required text option (a reason, a note). */
function textAction(
  r: Registrar,
  name: string,
  help: MessageKey,
  option: "reason" | "text",
  optionHelp: MessageKey,
  act: (rec: RecordDoc, ac: ActionContext, value: string) => ActionResult,
): void {
  r.program
    .command(name)
    .description(r.d(help))
    .argument("<id>", r.d("help.arg-id"))
    .option(`--${option} <text>`, r.d(optionHelp))
    .action(
      r.run(async (ctx, id: string, opts: Partial<Record<typeof option, string>>) => {
        const value = freeText(`--${option}`, opts[option]);
        if (!value) throw usageError("cli.missing-options", { options: `--${option}` });
        const res = await recordAction(ctx, id, name, (rec, ac) => act(rec, ac, value));
        return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
      }),
    );
}

export function registerActions(r: Registrar): void {
  const { program, d, run } = r;

  addStepOptions(
    program.command("sign").description(d("help.sign")).argument("<id>", d("help.arg-id")),
    d,
  ).action(
    run(async (ctx, id: string, opts: StepOptions) => {
      const res = await signOrRoute(ctx, id, "sign", opts);
      return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
    }),
  );

  program
    .command("route")
    .description(d("help.route"))
    .argument("<id>", d("help.arg-id"))
    .option("--to <holders>", d("help.opt-to"))
    .option("--note <text>", d("help.opt-note"))
    .action(run(runRoute));

  textAction(r, "skip", "help.skip", "reason", "help.opt-reason", (rec, ac, v) => skip(rec, ac, v));

  textAction(r, "note", "help.note", "text", "help.opt-text", (rec, ac, v) => annotate(rec, ac, "note", v));

  program
    .command("urge")
    .description(d("help.urge"))
    .argument("<id>", d("help.arg-id"))
    .option("--note <text>", d("help.opt-note"))
    .action(run(runUrge));

  program
    .command("extend")
    .description(d("help.extend"))
    .argument("<id>", d("help.arg-id"))
    .option("--until <date>", d("help.opt-until"))
    .option("--days <n>", d("help.opt-days"))
    .option("--approved-by <person>", d("help.opt-approved-by"))
    .option("--reason <text>", d("help.opt-reason"))
    .option("--caller-informed", d("help.opt-caller-informed"))
    .action(run(runExtend));

  program
    .command("merge")
    .description(d("help.merge"))
    .argument("<id>", d("help.arg-id"))
    .option("--into <id>", d("help.opt-into"))
    .option("--reason <text>", d("help.opt-reason"))
    .option("--force", d("help.opt-merge-force"))
    .action(run(runMerge));

  textAction(r, "withdraw", "help.withdraw", "reason", "help.opt-reason", (rec, ac, v) =>
    withdraw(rec, ac, v),
  );

  textAction(r, "reopen", "help.reopen", "reason", "help.opt-reason", (rec, ac, v) => reopen(rec, ac, v));

  program
    .command("file")
    .description(d("help.file"))
    .argument("<id>", d("help.arg-id"))
    .option("--retention <retention>", d("help.opt-retention"))
    .action(run(runFile));
}

/** `office-doc route`. */
export async function runRoute(ctx: Ctx, id: string, opts: { to?: string; note?: string }): Promise<number> {
  const to = listOption(opts.to);
  if (!to.length) throw usageError("cli.missing-options", { options: "--to" });
  const note = freeText("--note", opts.note) || undefined;
  const res = await recordAction(ctx, id, "route", (rec, ac) => route(rec, ac, to, note));
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}

/** `office-doc urge`. */
export async function runUrge(ctx: Ctx, id: string, opts: { note?: string }): Promise<number> {
  const note = freeText("--note", opts.note) || undefined;
  const res = await recordAction(ctx, id, "urge", (rec, ac) => {
    if (rec.status === "closed") throw refused("engine.record-closed", { id: rec.id });
    return annotate(rec, ac, "urge", note);
  });
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}

/** `office-doc extend`. */
export async function runExtend(
  ctx: Ctx,
  id: string,
  opts: {
    until?: string;
    days?: string;
    approvedBy?: string;
    reason?: string;
    callerInformed?: boolean;
  },
): Promise<number> {
  const reason = freeText("--reason", opts.reason);
  const missing = [
    opts.until === undefined && opts.days === undefined ? "--until | --days" : "",
    opts.approvedBy ? "" : "--approved-by",
    reason ? "" : "--reason",
  ].filter(Boolean);
  if (missing.length) throw usageError("cli.missing-options", { options: missing.join(", ") });
  if (opts.until !== undefined && opts.days !== undefined) throw usageError("cli.until-or-days");
  if (opts.until !== undefined && !isIsoDate(opts.until))
    throw usageError("cli.bad-date", { option: "--until", value: opts.until });
  const days = opts.days === undefined ? undefined : Number(opts.days);
  if (days !== undefined && !(Number.isInteger(days) && days > 0))
    throw usageError("cli.bad-number", { option: "--days", value: String(opts.days) });
  const approvedBy = ctx.person("--approved-by", opts.approvedBy as string);
  const res = await recordAction(ctx, id, "extend", (rec, ac) => {
    if (ac.wf.extend_needs_caller_informed && !opts.callerInformed)
      throw usageError("cli.caller-informed-required");
    return extend(rec, ac, {
      ...(opts.until ? { until: opts.until } : {}),
      ...(days ? { days } : {}),
      approvedBy,
      reason: reason as string,
      ...(opts.callerInformed ? { callerInformed: true } : {}),
    });
  });
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}

/** `office-doc merge`. */
export async function runMerge(
  ctx: Ctx,
  id: string,
  opts: { into?: string; reason?: string; force?: boolean },
): Promise<number> {
  const reason = freeText("--reason", opts.reason);
  const missing = [opts.into ? "" : "--into", reason ? "" : "--reason"].filter(Boolean);
  if (missing.length) throw usageError("cli.missing-options", { options: missing.join(", ") });
  const year = Number(ctx.today().slice(0, 4));
  const a = ctx.reg.resolveId(id, year);
  const b = ctx.reg.resolveId(opts.into as string, year);
  const ac = await actionContext(ctx, ctx.reg.workflow(a.kind));
  const res = await transact(ctx.reg, "merge", async (tx) => {
    const dup = ctx.reg.readRecord(a.rel, a.id, a.kind).record;
    const target = ctx.reg.readRecord(b.rel, b.id, b.kind).record;
    const r = mergeInto(dup, target, ac, reason as string, opts.force === true);
    putRecord(tx, ac, r.duplicate.record);
    putRecord(tx, ac, r.target.record);
    await tx.commit({
      action: "merge",
      record: `${a.id}, ${b.id}`,
      subject: `merge ${a.id} into ${b.id}: ${dup.title}`,
      author: identityOf(ac.actor),
      committer: identityOf(ac.recorder),
      actorId: ac.actor.id,
      recorderId: ac.recorder.id,
      authorDate: r.duplicate.event.at,
      committerDate: ctx.stamp(),
    });
    return r;
  });
  ctx.say(ctx.t("merge.done", { id: a.id, into: b.id }));
  return printResult(ctx, res.target, ac.wf);
}

/** `office-doc file`. */
export async function runFile(ctx: Ctx, id: string, opts: { retention?: string }): Promise<number> {
  if (opts.retention !== undefined && !RETENTIONS.includes(opts.retention as Retention))
    throw usageError("cli.bad-enum", {
      option: "--retention",
      value: opts.retention,
      values: RETENTIONS.join(", "),
    });
  const res = await recordAction(ctx, id, "file", async (rec, ac, tx) => {
    const retention = (opts.retention as Retention | undefined) ?? ac.wf.default_retention ?? "30y";
    // The responsible unit's code goes into the archive number (DA/T 22).
    const unitId = roleValue(rec.fields, ac.wf, "responsible-unit");
    const unitCode = ac.office.units.find((u) => u.id === unitId)?.code;
    const year = Number(rec.id.split("-")[1]);
    const series = archiveSeries(ac.office.fonds, year, retention, unitCode);
    return fileRecord(rec, ac, retention, await allocator(ctx, tx).archiveItem(series), unitCode);
  });
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}
