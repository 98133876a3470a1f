import { readFileSync } from "node:fs";
import { join } from "node:path";
import { correct, fixRecord } from "../../core/engine.js";
import { validateOffice } from "../../core/office.js";
import { usageError } from "../../core/problems.js";
import { assertAdmin, hasAdmin } from "../../core/trust.js";
import { fieldByRole } from "../../core/workflow.js";
import { maximaOf } from "../../store/allocate.js";
import { git } from "../../store/git.js";
import { RecordIndex } from "../../store/index-cache.js";
import { fastLoad } from "../../store/lazy.js";
import { OFFICE_FILE } from "../../store/registry.js";
import { transact } from "../../store/transact.js";
import {
  isConfigPath,
  rebuildRecord,
  recordProblems,
  type VerifyProblem,
  verifyRegistry,
} from "../../store/verify.js";
import type { MessageKey } from "../../ui/i18n/keys.js";
import { type Ctx, identityOf } from "../context.js";
import { coerceGiven, freeText } from "../fields.js";
import { printResult } from "../present.js";
import type { Registrar } from "../registrar.js";
import { actionCommit, actionContext, putRecord, recordAction, setupCommit } from "../service.js";

/**
 * Issue 18's commands: `verify` (the audit of the history), `correct` (an administrator's change of a
 * record's fields, whatever its state) and `fix` (an administrator's repair of what verify reports).
 */
export function registerTrust(r: Registrar): void {
  const { program, d, run } = r;
  program
    .command("verify")
    .description(d("help.verify"))
    .option("--signatures", d("help.opt-signatures"))
    .option("--from <commit>", d("help.opt-from"))
    .option("--accept-before <commit>", d("help.opt-accept-before"))
    .action(run(runVerify));

  program
    .command("correct")
    .description(d("help.correct"))
    .argument("<id>", d("help.arg-id"))
    .option("--set <field=value>", d("help.opt-set"), (v: string, acc: string[] = []) => [...acc, v])
    .option("--title <title>", d("help.opt-correct-title"))
    .option("--reason <text>", d("help.opt-reason"))
    .action(run(runCorrect));

  program
    .command("config")
    .description(d("help.config"))
    .command("commit")
    .description(d("help.config-commit"))
    .option("--reason <text>", d("help.opt-reason"))
    .action(run(runConfigCommit));

  program
    .command("fix")
    .description(d("help.fix"))
    .argument("<id>", d("help.arg-id"))
    .option("--reason <text>", d("help.opt-reason"))
    .action(run(runFix));
}

/**
 * A problem's message: a refused replay carries the engine's own code and parameters, told in
 * the clerk's language as its `message`.
 */
function problemMessage(ctx: Ctx, p: VerifyProblem): string {
  const inner = p.code === "verify.refused" ? p.params.code : undefined;
  const params =
    typeof inner === "string" ? { ...p.params, message: ctx.t(inner as MessageKey, p.params) } : p.params;
  return ctx.t(p.code as MessageKey, params);
}

/** One problem as a line: commit, record (or file), what. */
function problemText(ctx: Ctx, p: VerifyProblem): string {
  const where = p.record ?? p.file ?? "-";
  const line = `${p.commit.slice(0, 12)} ${where}: ${problemMessage(ctx, p)}`;
  return p.repairedBy
    ? `${line} ${ctx.t("verify.repaired-by", {
        commit: p.repairedBy.commit.slice(0, 12),
        by: p.repairedBy.by,
        reason: p.repairedBy.reason,
      })}`
    : line;
}

/**
 * `office-doc verify [--signatures] [--from C]`: exit 0 when every commit since the last verified one
 * is an office-doc action as the engine makes it (src/store/verify.ts); exit 1 with one line per
 * problem on stdout (commit, record, what), or when history was rewritten.
 */
export async function runVerify(
  ctx: Ctx,
  opts: { signatures?: boolean; from?: string; acceptBefore?: string },
): Promise<number> {
  ctx.reg.ensureExists();
  const report = await verifyRegistry(ctx.reg.dir, {
    ...(opts.signatures ? { signatures: true } : {}),
    ...(opts.from ? { from: opts.from } : {}),
    ...(opts.acceptBefore ? { acceptBefore: opts.acceptBefore } : {}),
    hooks: ctx.reg.hooks,
    numbersAtHead: async (keys) => {
      const index = await RecordIndex.load(ctx.reg);
      const fields = new Map<string, string | undefined>();
      const out: [string, number][] = [];
      // docno:KIND:SERIES and archive:SERIES: a record holds the series' text in its summary.
      const needles = [...keys].map((k) =>
        JSON.stringify(k.slice(k.indexOf(":", k.startsWith("docno:") ? 6 : 0) + 1)).slice(1, -1),
      );
      for (const s of index.mentioning(needles)) {
        if (!fields.has(s.kind)) {
          let field: string | undefined;
          try {
            field = fieldByRole(ctx.reg.workflow(s.kind), "doc-number")?.id;
          } catch {
            field = undefined;
          }
          fields.set(s.kind, field);
        }
        for (const m of maximaOf(s, fields.get(s.kind))) if (keys.has(m[0])) out.push(m);
      }
      return out;
    },
  });
  const failing = report.problems.filter((p) => !p.repairedBy);
  if (ctx.json) {
    const problems = report.problems.map((p) => ({ ...p, message: problemMessage(ctx, p) }));
    ctx.out(JSON.stringify({ ...report, problems, ok: !failing.length && !report.rewritten }, null, 2));
    return failing.length || report.rewritten ? 1 : 0;
  }
  if (report.rewritten) ctx.out(ctx.t("verify.rewritten", { commit: report.rewritten.slice(0, 12) }));
  for (const p of report.problems) ctx.out(problemText(ctx, p));
  if (failing.length) ctx.say(ctx.t("verify.problems", { n: failing.length, commits: report.commits }));
  else if (!report.rewritten)
    ctx.say(ctx.t("verify.ok", { commits: report.commits, head: (report.head ?? "-").slice(0, 12) }));
  return failing.length || report.rewritten ? 1 : 0;
}

/** `--set FIELD=VALUE` options as the record's typed field values (exit 2 on a value that does not fit). */
function setFields(ctx: Ctx, kind: string, sets: readonly string[]): Record<string, unknown> {
  const wf = ctx.reg.workflow(kind);
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const at = s.indexOf("=");
    if (at <= 0) throw usageError("cli.bad-enum", { option: "--set", value: s, values: "FIELD=VALUE" });
    const field = s.slice(0, at);
    const def = wf.fields.find((f) => f.id === field);
    if (!def) throw usageError("engine.correct-unknown", { field });
    out[field] = coerceGiven(def, s.slice(at + 1));
  }
  return out;
}

/** `office-doc correct ID --set F=V… [--title T] --reason T` (an administrator; issue 18). */
async function runCorrect(
  ctx: Ctx,
  id: string,
  opts: { set?: string[]; title?: string; reason?: string },
): Promise<number> {
  const reason = freeText("--reason", opts.reason);
  if (!reason) throw usageError("cli.missing-options", { options: "--reason" });
  const { kind } = ctx.reg.resolveId(id, Number(ctx.today().slice(0, 4)));
  const fields = setFields(ctx, kind, opts.set ?? []);
  const title = opts.title === undefined ? undefined : freeText("--title", opts.title);
  const res = await recordAction(ctx, id, "correct", (rec, ac) =>
    correct(rec, ac, fields, { ...(title ? { title } : {}), reason }),
  );
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}

/**
 * `office-doc fix ID --reason T` (an administrator; issue 18): the record as the engine makes it of
 * its history without the commits verify reports for it (since the verified ref), with a `fix` event
 * naming them. Exit 1 when verify reports nothing for the record.
 */
async function runFix(ctx: Ctx, id: string, opts: { reason?: string }): Promise<number> {
  const reason = freeText("--reason", opts.reason);
  if (!reason) throw usageError("cli.missing-options", { options: "--reason" });
  const office = ctx.office();
  const op = await ctx.operator();
  if (hasAdmin(office) || op) assertAdmin(office, op, "fix");
  const { id: full, kind, rel } = ctx.reg.resolveId(id, Number(ctx.today().slice(0, 4)));
  const problems = await recordProblems(ctx.reg.dir, rel, undefined, ctx.reg.hooks);
  const bad = [...new Set(problems.map((p) => p.commit))];
  if (!bad.length) {
    ctx.say(ctx.t("fix.nothing", { id: full }));
    return 1;
  }
  const wf = ctx.reg.workflow(kind);
  const ac = await actionContext(ctx, wf);
  const headId = (await git(ctx.reg.dir, ["rev-parse", "HEAD"])).stdout.trim();
  // The repair as of a commit after HEAD: every commit of the record but the bad ones, replayed.
  const repaired = await rebuildRecord(ctx.reg.dir, rel, headId, new Set(bad), ctx.reg.hooks, {
    inclusive: true,
  });
  const res = await transact(ctx.reg, "fix", async (tx) => {
    let before: ReturnType<typeof ctx.reg.readRecord>["record"] | undefined;
    try {
      before = ctx.reg.readRecord(rel, full, kind).record;
    } catch {
      before = undefined;
    }
    if (!repaired) throw usageError("verify.repair-failed", { id: full, commit: headId.slice(0, 12) });
    const r = fixRecord(before, repaired, ac, reason, bad);
    putRecord(tx, ac, r.record, rel);
    await tx.commit(actionCommit(ac, r.event, full, `fix ${full}: ${r.record.title}`));
    return r;
  });
  ctx.say(ctx.t("fix.done", { id: full, n: bad.length, commits: bad.map((c) => c.slice(0, 12)).join(", ") }));
  return printResult(ctx, res, wf);
}

/** The setup files with changes in the work tree (`git status`), and those deleted. */
async function changedSetup(dir: string): Promise<{ files: string[]; deleted: string[] }> {
  const st = await git(dir, [
    "status",
    "--porcelain",
    "-z",
    "--untracked-files=all",
    "--",
    OFFICE_FILE,
    "workflows",
    "calendar",
  ]);
  const files: string[] = [];
  const deleted: string[] = [];
  for (const entry of st.stdout.split("\0").filter(Boolean)) {
    const path = entry.slice(3);
    if (!isConfigPath(path)) continue;
    if (entry.slice(0, 2).includes("D")) deleted.push(path);
    else files.push(path);
  }
  return { files: files.sort(), deleted };
}

/**
 * `office-doc config commit [--reason T]` (issue 18): an administrator's hand edits of office.yaml,
 * workflows/*.yaml and calendar/*.yaml committed as one office-doc action (`config-commit`) naming
 * them, so that `verify` holds them to the administrator's role. Who may is decided by office.yaml as
 * committed (an edit cannot make its own author an administrator). Each file must load as office-doc
 * reads it (exit 2 naming the file and line); nothing to commit is exit 1; a deleted setup file is
 * refused (exit 2: remove a workflow with git, and verify reports it).
 */
async function runConfigCommit(ctx: Ctx, opts: { reason?: string }): Promise<number> {
  ctx.reg.ensureExists();
  const dir = ctx.reg.dir;
  const reason = opts.reason === undefined ? undefined : freeText("--reason", opts.reason);
  const { files, deleted } = await changedSetup(dir);
  if (deleted.length) throw usageError("config.not-setup", { file: deleted.join(", ") });
  if (!files.length) {
    ctx.say(ctx.t("config.nothing"));
    return 1;
  }
  const committed = await git(dir, ["show", `HEAD:${OFFICE_FILE}`], { okCodes: [128] });
  const headOffice = committed.code === 0 ? validateOffice(fastLoad(committed.stdout)).value : undefined;
  const op = headOffice ? await ctx.operator(headOffice) : undefined;
  if (headOffice && hasAdmin(headOffice)) assertAdmin(headOffice, op, "config commit");
  // The edited files as office-doc will read them: a broken one is named, nothing is committed.
  ctx.reg.forget();
  ctx.office();
  for (const f of files)
    if (f.startsWith("workflows/")) ctx.reg.workflow(f.slice("workflows/".length, -".yaml".length));
  if (files.some((f) => f.startsWith("calendar/"))) ctx.reg.calendar();
  const who = op ? { identity: identityOf(op), person: op } : await ctx.setupActor("config commit");
  const subject = `config commit: ${files.join(", ")}${reason ? ` (${reason})` : ""}`;
  await transact(ctx.reg, "config-commit", async (tx) => {
    for (const f of files) tx.put(f, readFileSync(join(dir, f), "utf8"));
    await tx.commit(setupCommit(ctx, who, "config-commit", subject));
  });
  ctx.reg.forget();
  ctx.say(ctx.t("config.done", { files: files.join(", ") }));
  return 0;
}
