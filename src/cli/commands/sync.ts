import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Keep, mergeRecord } from "../../core/merge.js";
import type { HistoryEvent } from "../../core/model.js";
import { failed, OfficeError, type Problem, refused, usageError } from "../../core/problems.js";
import { orderedRecord, validateRecord } from "../../core/record.js";
import { writeFileAtomic } from "../../store/atomic.js";
import { assertRepository, git, headCommit, isAncestor } from "../../store/git.js";
import { RecordIndex } from "../../store/index-cache.js";
import { followHead } from "../../store/log-index.js";
import { packageRoot } from "../../store/paths.js";
import { parseRecord, type RebaseConflict, replayContext } from "../../store/rebase.js";
import { LOCAL_DIR, parseRecordRel } from "../../store/registry.js";
import { ensureMergeDriver, type Remote, remoteOf, ShareSession } from "../../store/share.js";
import { lockRegistry } from "../../store/transact.js";
import { VERIFIED_REF } from "../../store/verify.js";
import { toYaml } from "../../store/yaml-io.js";
import { type Ctx, identityOf } from "../context.js";
import { requireValues } from "../prompts.js";
import type { Registrar } from "../registrar.js";
import { historyLine } from "./records.js";

/**
 * `sync`, `resolve` and `remote add` (issue 17): share the registry through an ordinary git remote.
 * sync fetches, makes this clone's commits again on top of the remote's (office-doc's own rebase:
 * store/rebase.ts; records merged by their events, provisional ids renamed), checks, and pushes,
 * again when someone pushed meanwhile. Two actions on one record that do not combine stop it with
 * nothing changed; `resolve ID` shows both and keeps the one a person chooses.
 */
export function registerSync(r: Registrar): void {
  const { program, d, run } = r;
  program
    .command("sync")
    .description(d("help.sync"))
    .option("--remote <name>", d("help.opt-remote"))
    .option("--auto", d("help.opt-sync-auto"))
    .option("--no-auto", d("help.opt-sync-no-auto"))
    .action(run(runSync));
  program
    .command("resolve")
    .description(d("help.resolve"))
    .argument("<id>", d("help.arg-resolve"))
    .option("--keep <side>", d("help.opt-keep"))
    .option("--reason <text>", d("help.opt-resolve-reason"))
    .option("--remote <name>", d("help.opt-remote"))
    .action(run(runResolve));
  const remote = program.command("remote").description(d("help.remote"));
  remote
    .command("add")
    .description(d("help.remote-add"))
    .argument("<url>", d("help.arg-url"))
    .option("--name <name>", d("help.opt-remote-name"))
    .action(run(runRemoteAdd));
  program
    .command("merge-driver", { hidden: true })
    .description("git's merge driver for record files (set up by remote add and sync)")
    .argument("<base>")
    .argument("<ours>")
    .argument("<theirs>")
    .argument("<path>")
    .action(run(runMergeDriver));
}

/** The command git runs to merge a record file (see ensureMergeDriver): this node and this bin. */
function driverCommand(): string {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  return `${quote(process.execPath)} ${quote(join(packageRoot(), "bin", "office-doc.js"))} --registry . merge-driver %O %A %B %P`;
}

/**
 * `office-doc merge-driver BASE OURS THEIRS PATH` (git's `%O %A %B %P`): merge a record file by its
 * events as sync does (core/merge.ts), the result written to OURS; exit 1 when the two do not
 * combine, OURS left as it was (git reports a conflict; no marker is written into the file).
 */
export async function runMergeDriver(
  ctx: Ctx,
  base: string,
  ours: string,
  theirs: string,
  path: string,
): Promise<number> {
  const rel = parseRecordRel(path);
  if (!rel) return 1;
  const read = (f: string) => {
    try {
      return parseRecord(readFileSync(f));
    } catch {
      return undefined;
    }
  };
  const [b, o, t] = [read(base), read(ours), read(theirs)];
  if (!b || !o || !t) return 1;
  const out = mergeRecord(b, t, o, replayContext(ctx.reg, rel.kind));
  if (out.conflict) return 1;
  const wf = ctx.reg.workflow(rel.kind);
  const rec = orderedRecord(out.record, wf);
  if (validateRecord(rec, wf, ctx.office(), rel.id).some((p) => !p.warning)) return 1;
  writeFileSync(ours, toYaml(rec));
  return 0;
}

/**
 * Refs pushed by `sync` in the same push as the branch, beside it: issue 18 pushes
 * `refs/office-doc/verified` (the last audited commit) here, as refspecs (`SRC:DST`).
 */
export async function extraPushRefs(_ctx: Ctx): Promise<string[]> {
  return [];
}

/** The remote to use, or exit 1 saying how to add one. */
async function theRemote(ctx: Ctx, name: string | undefined): Promise<Remote> {
  ctx.reg.ensureExists();
  assertRepository(ctx.reg.dir, true);
  const remote = await remoteOf(ctx.reg, name);
  if (!remote) throw refused("sync.no-remote", { remote: name ?? "origin", dir: ctx.reg.dir });
  return remote;
}

/** Refuse while tracked files differ from HEAD: sync moves HEAD and rewrites this clone's commits. */
async function assertClean(ctx: Ctx): Promise<void> {
  const dirty = (await git(ctx.reg.dir, ["status", "--porcelain", "--untracked-files=no"])).stdout.trim();
  if (dirty)
    throw refused("sync.dirty", {
      files: dirty
        .split("\n")
        .map((l) => l.slice(3))
        .slice(0, 10)
        .join(", "),
    });
}

/** Choices made with `resolve`, kept in this clone until sync can apply them all. */
interface Choices {
  /** The remote head they were made against: a newer one needs new choices. */
  upstream: string;
  keep: Record<string, Keep>;
  reason: Record<string, string>;
}

const CHOICES_FILE = "resolutions.json";

function readChoices(ctx: Ctx, upstream: string | undefined): Choices {
  try {
    const c = JSON.parse(readFileSync(ctx.reg.path(LOCAL_DIR, CHOICES_FILE), "utf8")) as Choices;
    if (c.upstream === upstream && typeof c.keep === "object") return c;
  } catch {
    // none
  }
  return { upstream: upstream ?? "", keep: {}, reason: {} };
}

/** One line per event: when, what, who, what was said (as `show` prints history). */
function eventLines(ctx: Ctx, kind: string, events: HistoryEvent[]): string[] {
  const wf = ctx.reg.workflow(kind);
  return events.map((e) => historyLine(ctx, wf, e));
}

/** The conflicts as problems of one error (exit 1): each record with both sides' events. */
function conflictError(ctx: Ctx, conflicts: RebaseConflict[], remote: string): OfficeError {
  const problems = conflicts.map((c): Problem => {
    const rec = c.record;
    const kind = parseRecordRel(c.path)?.kind;
    if (rec && kind)
      return {
        path: [],
        code: "sync.conflict-record",
        params: {
          id: rec.id,
          remote,
          mine: eventLines(ctx, kind, rec.mine).join(" / "),
          theirs: eventLines(ctx, kind, rec.theirs).join(" / "),
        },
      };
    return { path: [], code: "sync.conflict-file", params: { file: c.path, remote } };
  });
  const ids = [...new Set(conflicts.map((c) => c.record?.id ?? c.path))];
  return new OfficeError(
    "refused",
    "sync.conflict",
    { ids: ids.join(", "), remote, first: ids[0] ?? "" },
    problems,
  );
}

/**
 * Under the lock: fetch, bring this clone up to date (own rebase with the choices made by
 * `resolve`), push, again while someone pushed first. The index and the log lists follow HEAD.
 * Returns what was pulled and pushed, the ids renamed and the events set aside.
 */
async function syncLocked(
  ctx: Ctx,
  session: ShareSession,
  extra: string[],
): Promise<{ pulled: number; pushed: number; dropped: { id: string; events: HistoryEvent[] }[] }> {
  await session.remember();
  try {
    return await syncRounds(ctx, session, extra);
  } catch (e) {
    // A sync that does not end in a push changes nothing here: renamed ids are not final until the
    // remote has them.
    await session.restore();
    throw e;
  }
}

/** syncLocked's rounds: fetch, rebase, push, again while someone pushed first. */
async function syncRounds(
  ctx: Ctx,
  session: ShareSession,
  extra: string[],
): Promise<{ pulled: number; pushed: number; dropped: { id: string; events: HistoryEvent[] }[] }> {
  const dir = ctx.reg.dir;
  const reach = async () => {
    const f = await session.fetch(true);
    if (!f)
      throw failed("sync.unreachable", {
        remote: session.r.name,
        url: session.r.url,
        message: session.lastFailure,
      });
  };
  await reach();
  const before = (await headCommit(dir)) ?? "";
  const count = async (range: string) =>
    Number((await git(dir, ["rev-list", "--count", range])).stdout.trim()) || 0;
  const pulled = session.upstream ? await count(`${before}..${session.upstream}`) : 0;
  const dropped: { id: string; events: HistoryEvent[] }[] = [];
  for (let round = 0; ; round++) {
    const choices = readChoices(ctx, session.upstream);
    const keep = new Map(Object.entries(choices.keep));
    const { actor } = keep.size ? await ctx.actors() : { actor: undefined };
    const res = await session.integrate({
      ...(keep.size ? { keep } : {}),
      ...(actor
        ? {
            resolver: {
              person: actor,
              identity: identityOf(actor),
              at: ctx.stamp(),
              reasons: choices.reason,
            },
          }
        : {}),
    });
    if (res.conflicts.length) throw conflictError(ctx, res.conflicts, session.r.name);
    if (keep.size) rmSync(ctx.reg.path(LOCAL_DIR, CHOICES_FILE), { force: true });
    dropped.push(...(session.lastPlan?.dropped ?? []));
    const upstreamBefore = session.upstream;
    const head = (await headCommit(dir)) ?? "";
    const pushed = upstreamBefore ? await count(`${upstreamBefore}..${head}`) : await count(head);
    const r = await session.push(extra);
    if (r.ok) {
      session.announce();
      // The derived index and each record's commit list follow the new HEAD from the diff.
      await RecordIndex.load(ctx.reg, { locked: true });
      await followHead(dir);
      return { pulled, pushed, dropped };
    }
    if (r.timedOut) throw failed("share.timeout", { remote: session.r.name, url: session.r.url });
    if (!r.rejected)
      throw failed("sync.unreachable", { remote: session.r.name, url: session.r.url, message: r.message });
    if (round >= 8) throw failed("share.busy", { remote: session.r.name, rounds: round });
    await reach();
  }
}

/** Say what a sync did. */
function report(ctx: Ctx, remote: string, r: Awaited<ReturnType<typeof syncLocked>>): void {
  for (const d of r.dropped) {
    const { kind } = ctx.reg.resolveId(d.id, 0);
    for (const line of eventLines(ctx, kind, d.events))
      ctx.say(ctx.t("sync.set-aside", { id: d.id, event: line }));
  }
  ctx.say(ctx.t("sync.done", { pulled: r.pulled, pushed: r.pushed, remote }));
  if (r.pulled) ctx.say(ctx.t("sync.updated"));
}

/** `office-doc sync [--remote NAME] [--auto|--no-auto]`. */
export async function runSync(ctx: Ctx, opts: { remote?: string; auto?: boolean }): Promise<number> {
  const remote = await theRemote(ctx, opts.remote);
  if (opts.auto !== undefined) {
    await git(ctx.reg.dir, ["config", "--local", "office-doc.syncAuto", String(opts.auto)]);
    ctx.say(ctx.t(opts.auto ? "sync.auto-on" : "sync.auto-off"));
  }
  await ensureMergeDriver(ctx.reg.dir, driverCommand());
  const extra = await extraPushRefs(ctx);
  // The lock first: it finishes or undoes a write that was killed midway, whose staged change would
  // otherwise look like a clerk's uncommitted edit (and the hint would say to commit it).
  const release = await lockRegistry(ctx.reg, "sync");
  try {
    await assertClean(ctx);
    const session = new ShareSession(ctx.reg, remote, "sync");
    session.quietConflicts = true;
    report(ctx, remote.name, await syncLocked(ctx, session, extra));
    // Only saves the next verify time: a refused or failed push of it is left for the next sync.
    await shareVerified(ctx.reg.dir, remote.name).catch(() => undefined);
  } finally {
    release();
  }
  return 0;
}

/**
 * `refs/office-doc/verified` (issue 18) travels with the history: when the rebase replayed commits it
 * covered (local ones, never pushed), it goes back to where the histories meet, so that the next
 * `verify` checks the replayed commits instead of reporting a rewrite; then it is pushed without
 * force (on the remote it only ever moves forward; a refused push is left for the next sync).
 */
async function shareVerified(dir: string, remote: string): Promise<void> {
  const ref = await git(dir, ["rev-parse", "-q", "--verify", VERIFIED_REF], { okCodes: [1] });
  if (ref.code !== 0) return;
  const at = ref.stdout.trim();
  if (!(await isAncestor(dir, at, "HEAD"))) {
    const base = (await git(dir, ["merge-base", at, "HEAD"], { okCodes: [1] })).stdout.trim();
    if (base) await git(dir, ["update-ref", VERIFIED_REF, base]);
    else await git(dir, ["update-ref", "-d", VERIFIED_REF]);
  }
  if ((await git(dir, ["rev-parse", "-q", "--verify", VERIFIED_REF], { okCodes: [1] })).code === 0)
    await git(dir, ["push", "--quiet", remote, `${VERIFIED_REF}:${VERIFIED_REF}`], { okCodes: [1] });
}

/**
 * `office-doc resolve ID [--keep local|remote] [--reason TEXT]`: show what this clone and the
 * remote each did to a record since they parted, and keep one side. `remote`: the remote's actions
 * stand; this clone's are applied after them where the engine still accepts them, the others are set
 * aside (printed: enter them again if they still apply). `local`: this clone's stand; the remote's
 * stay in the history (shared: never removed), set aside by a `resolve` event of the person who
 * chose, with the reason. The choice is kept until sync can apply it with every other conflict
 * settled; then it syncs. ID may also be a file other than a record (office.yaml).
 */
export async function runResolve(
  ctx: Ctx,
  idText: string,
  opts: { keep?: string; reason?: string; remote?: string },
): Promise<number> {
  const remote = await theRemote(ctx, opts.remote);
  if (opts.keep !== undefined && opts.keep !== "local" && opts.keep !== "remote")
    throw usageError("cli.bad-enum", { option: "--keep", value: opts.keep, values: "local, remote" });
  const asPath = /[/.]/.test(idText) && !/^[A-Za-z]{2,6}-/.test(idText);
  const target = asPath ? idText : ctx.reg.resolveId(idText, Number(ctx.today().slice(0, 4))).id;
  const extra = await extraPushRefs(ctx);
  const release = await lockRegistry(ctx.reg, "resolve");
  try {
    await assertClean(ctx);
    const session = new ShareSession(ctx.reg, remote, "resolve");
    session.quietConflicts = true;
    if (!(await session.fetch(true)))
      throw failed("sync.unreachable", {
        remote: remote.name,
        url: remote.url,
        message: session.lastFailure,
      });
    const head = (await headCommit(ctx.reg.dir)) ?? "";
    const { planRebase } = await import("../../store/rebase.js");
    const plan = await planRebase(ctx.reg, { head, upstream: session.upstream });
    const mine = plan.conflicts.find((c) => (c.record?.id ?? c.path) === target);
    if (!mine) throw refused("resolve.nothing", { id: target, remote: remote.name });
    // Both sides, as data on stdout.
    const kind = parseRecordRel(mine.path)?.kind;
    if (ctx.json)
      ctx.out(
        JSON.stringify(
          {
            id: target,
            step: mine.record?.step ?? null,
            local: mine.record?.mine ?? [],
            remote: mine.record?.theirs ?? [],
          },
          null,
          2,
        ),
      );
    else if (mine.record && kind) {
      ctx.out(ctx.t("resolve.both", { id: target, remote: remote.name }));
      ctx.out(`${ctx.t("resolve.side-remote", { remote: remote.name })}:`);
      for (const l of eventLines(ctx, kind, mine.record.theirs)) ctx.out(`  ${l}`);
      ctx.out(`${ctx.t("resolve.side-local")}:`);
      for (const l of eventLines(ctx, kind, mine.record.mine)) ctx.out(`  ${l}`);
    } else ctx.out(ctx.t("resolve.file", { file: target, remote: remote.name }));
    let keep = opts.keep as Keep | undefined;
    if (!keep) {
      // Without a terminal, `resolve ID` is the way to see both sides (README): shown, nothing chosen.
      if (!ctx.interactive) {
        ctx.say(ctx.t("resolve.choose", { id: target }));
        return 0;
      }
      const answers = await requireValues(ctx, [
        {
          flag: "--keep",
          label: ctx.t("resolve.which"),
          choices: [
            { value: "remote", name: ctx.t("resolve.keep-remote", { remote: remote.name }) },
            { value: "local", name: ctx.t("resolve.keep-local") },
          ],
        },
      ]);
      keep = answers.get("--keep") as Keep;
    }
    const reason = opts.reason?.trim() ?? "";
    if (keep === "local" && mine.record && !reason)
      throw usageError("resolve.needs-reason", { option: "--reason" });
    await ctx.actors(); // a known operator: the resolve event is theirs
    const choices = readChoices(ctx, session.upstream);
    choices.keep[target] = keep;
    if (reason) choices.reason[target] = reason;
    writeFileAtomic(ctx.reg.path(LOCAL_DIR, CHOICES_FILE), JSON.stringify(choices), { durable: false });
    const others = plan.conflicts.filter(
      (c) => (c.record?.id ?? c.path) !== target && !choices.keep[c.record?.id ?? c.path],
    );
    if (others.length) {
      ctx.say(ctx.t("resolve.kept-for-later", { id: target }));
      throw conflictError(ctx, others, remote.name);
    }
    report(ctx, remote.name, await syncLocked(ctx, session, extra));
    // Only saves the next verify time: a refused or failed push of it is left for the next sync.
    await shareVerified(ctx.reg.dir, remote.name).catch(() => undefined);
  } finally {
    release();
  }
  return 0;
}

/**
 * `office-doc remote add URL [--name NAME]`: the git remote the registry is shared through (git's
 * `remote add`), and office-doc's choice of it in this clone (`office-doc.remote`). Nothing is
 * pushed: `office-doc sync` does that.
 */
export async function runRemoteAdd(ctx: Ctx, url: string, opts: { name?: string }): Promise<number> {
  ctx.reg.ensureExists();
  assertRepository(ctx.reg.dir, true);
  const name = opts.name ?? "origin";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw usageError("remote.bad-name", { name });
  const dir = ctx.reg.dir;
  const had = await git(dir, ["remote", "get-url", name], { okCodes: [2, 128] });
  if (had.code === 0 && had.stdout.trim() !== url)
    throw refused("remote.exists", { name, url: had.stdout.trim() });
  if (had.code !== 0) await git(dir, ["remote", "add", name, url]);
  await git(dir, ["config", "--local", "office-doc.remote", name]);
  await ensureMergeDriver(dir, driverCommand());
  ctx.say(ctx.t("remote.added", { name, url }));
  return 0;
}
