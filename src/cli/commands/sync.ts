import { failed, refused } from "../../core/problems.js";
import { git, headCommit } from "../../store/git.js";
import { lockRegistry } from "../../store/transact.js";
import { VERIFIED_REF } from "../../store/verify.js";
import type { Ctx } from "../context.js";
import type { Registrar } from "../registrar.js";

/**
 * `sync`: share the registry through an ordinary git remote. Pull (rebase) then push, under the
 * registry lock; files are per record, so clerks working on different records never conflict.
 */
export function registerSync(r: Registrar): void {
  const { program, d, run } = r;
  program
    .command("sync")
    .description(d("help.sync"))
    .option("--remote <name>", d("help.opt-remote"))
    .action(run(runSync));
}

/** `office-doc sync`. */
export async function runSync(ctx: Ctx, opts: { remote?: string }): Promise<number> {
  ctx.reg.ensureExists();
  const dir = ctx.reg.dir;
  const remote = opts.remote ?? "origin";
  const remotes = (await git(dir, ["remote"])).stdout.split("\n").filter(Boolean);
  if (!remotes.includes(remote)) throw refused("sync.no-remote", { remote, dir });
  const branch = (await git(dir, ["symbolic-ref", "--short", "HEAD"])).stdout.trim();
  const identity = await ctx.setupIdentity();
  // The lock first: it finishes or undoes a write that was killed midway, whose staged change would
  // otherwise look like a clerk's uncommitted edit (and the hint would say to commit it).
  const release = await lockRegistry(ctx.reg, "sync");
  try {
    const dirty = (await git(dir, ["status", "--porcelain", "--untracked-files=no"])).stdout.trim();
    if (dirty)
      throw refused("sync.dirty", {
        files: dirty
          .split("\n")
          .map((l) => l.slice(3))
          .slice(0, 10)
          .join(", "),
      });
    const before = await headCommit(dir);
    await git(dir, ["fetch", "--quiet", remote]);
    const upstream = `${remote}/${branch}`;
    const hasUpstream =
      (await git(dir, ["rev-parse", "--verify", "-q", upstream], { okCodes: [1] })).code === 0;
    let pulled = 0;
    if (hasUpstream) {
      pulled = Number((await git(dir, ["rev-list", "--count", `HEAD..${upstream}`])).stdout.trim());
      // Replaying our commits makes new ones: the person syncing is their committer; authors stay.
      const env = {
        GIT_COMMITTER_NAME: identity.name,
        GIT_COMMITTER_EMAIL: identity.email,
        GIT_COMMITTER_DATE: ctx.stamp(),
      };
      const rebase = await git(dir, ["rebase", "--quiet", upstream], { okCodes: [1, 128], env });
      if (rebase.code !== 0) {
        const conflicts = (await git(dir, ["diff", "--name-only", "--diff-filter=U"])).stdout
          .trim()
          .split("\n")
          .filter(Boolean);
        await git(dir, ["rebase", "--abort"], { okCodes: [1, 128] });
        if (!conflicts.length)
          throw failed("git.failed", { command: "git rebase", message: rebase.stderr.trim() });
        throw failed("sync.conflict", { files: conflicts.join(", "), upstream });
      }
    }
    const ahead = hasUpstream
      ? Number((await git(dir, ["rev-list", "--count", `${upstream}..HEAD`])).stdout.trim())
      : -1;
    if (ahead !== 0) await git(dir, ["push", "--quiet", remote, `HEAD:refs/heads/${branch}`]);
    await shareVerified(dir, remote);
    ctx.say(
      ctx.t("sync.done", {
        pulled,
        pushed: ahead < 0 ? (await git(dir, ["rev-list", "--count", "HEAD"])).stdout.trim() : ahead,
        remote,
      }),
    );
    if (before !== (await headCommit(dir))) ctx.say(ctx.t("sync.updated"));
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
  if ((await git(dir, ["merge-base", "--is-ancestor", at, "HEAD"], { okCodes: [1] })).code !== 0) {
    const base = (await git(dir, ["merge-base", at, "HEAD"], { okCodes: [1] })).stdout.trim();
    if (base) await git(dir, ["update-ref", VERIFIED_REF, base]);
    else await git(dir, ["update-ref", "-d", VERIFIED_REF]);
  }
  if ((await git(dir, ["rev-parse", "-q", "--verify", VERIFIED_REF], { okCodes: [1] })).code === 0)
    await git(dir, ["push", "--quiet", remote, `${VERIFIED_REF}:${VERIFIED_REF}`], { okCodes: [1] });
}
