import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { HistoryEvent } from "../core/model.js";
import { failed, type OfficeError } from "../core/problems.js";
import type { RemoteNumbers } from "./allocate.js";
import { writeFileAtomic } from "./atomic.js";
import { git, headCommit, moveHead } from "./git.js";
import { plainGitDir, readHead } from "./git-objects.js";
import { notify } from "./notices.js";
import { planRebase, type RebaseConflict, type RebaseOptions } from "./rebase.js";
import { LOCAL_DIR, RENAMED_FILE, type Registry, renamedIds } from "./registry.js";

/**
 * Sharing a registry through an ordinary git remote (issue 17, DESIGN.md "Distribution"): which
 * remote, fetching and pushing with a time limit, and a write's session with the remote (numbers
 * allocated against it, this clone brought up to date with it by office-doc's own rebase, the write
 * pushed before its number is reported).
 */

export interface Remote {
  /** The git remote's name (`origin`). */
  name: string;
  /** The branch (short name) this clone is on; the remote's branch of the same name is shared. */
  branch: string;
  /** Its URL as shown to people: a password or token in it (`https://user:token@host/…`) left out. */
  url: string;
}

/**
 * The clone's git config, the few keys office-doc reads: `remote.<name>.url`, `office-doc.remote`
 * and `office-doc.syncauto` (keys lower-cased, subsections as written). Read from `.git/config`
 * (a process costs a write ~10 ms); through `git config --list` where that file is not plain.
 */
async function gitConfig(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const gitDir = plainGitDir(dir);
  let text: string | undefined;
  if (gitDir) {
    try {
      text = readFileSync(join(gitDir, "config"), "utf8");
    } catch {
      text = undefined;
    }
  }
  if (text === undefined || /^\s*\[include/im.test(text)) {
    const r = await git(dir, ["config", "--list", "--local"], { okCodes: [1, 128] });
    for (const line of r.stdout.split("\n")) {
      const eq = line.indexOf("=");
      if (eq < 0) continue;
      const key = line.slice(0, eq);
      const dot1 = key.indexOf(".");
      const dot2 = key.lastIndexOf(".");
      const norm =
        dot1 === dot2
          ? key.toLowerCase()
          : `${key.slice(0, dot1).toLowerCase()}${key.slice(dot1, dot2)}${key.slice(dot2).toLowerCase()}`;
      out.set(norm, line.slice(eq + 1));
    }
    return out;
  }
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]$/.exec(line);
    if (head) {
      section = `${(head[1] as string).toLowerCase()}${head[2] !== undefined ? `.${head[2].replace(/\\(.)/g, "$1")}` : ""}`;
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv || !section) continue;
    let value = (kv[2] ?? "true").replace(/\s+[#;].*$/, "").trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, "$1");
    out.set(`${section}.${(kv[1] as string).toLowerCase()}`, value);
  }
  return out;
}

/** The branch HEAD is on (short name), or undefined when detached. */
async function currentBranch(dir: string): Promise<string | undefined> {
  const gitDir = plainGitDir(dir);
  const h = gitDir ? readHead(gitDir) : null;
  if (h) return h.branch?.replace(/^refs\/heads\//, "") ?? undefined;
  const r = await git(dir, ["symbolic-ref", "-q", "--short", "HEAD"], { okCodes: [1] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/**
 * The remote this registry is shared through: `name` when given, else the one `office-doc remote
 * add` chose (`office-doc.remote`), else git's own `origin`; undefined when there is none (the
 * registry is used alone: everything is allocated locally, as before issue 17).
 */
export async function remoteOf(reg: Registry, name?: string): Promise<Remote | undefined> {
  const cfg = await gitConfig(reg.dir);
  const chosen =
    name ?? cfg.get("office-doc.remote") ?? (cfg.has("remote.origin.url") ? "origin" : undefined);
  const url = chosen ? cfg.get(`remote.${chosen}.url`) : undefined;
  if (!chosen || url === undefined) return undefined;
  const branch = await currentBranch(reg.dir);
  if (!branch) return undefined;
  return { name: chosen, branch, url: url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@") };
}

/**
 * Do writing commands sync first and after (`sync.auto`)? This clone's choice (`sync --auto`,
 * `sync --no-auto`: git config `office-doc.syncAuto`) over office.yaml's `sync: { auto: true }`.
 */
export async function autoSync(reg: Registry): Promise<boolean> {
  const own = (await gitConfig(reg.dir)).get("office-doc.syncauto");
  if (own !== undefined) return /^(true|yes|on|1)$/i.test(own);
  try {
    return reg.office().sync?.auto === true;
  } catch {
    return false;
  }
}

/** Seconds a fetch or push may take (OFFICE_DOC_REMOTE_TIMEOUT, 20 by default). */
function remoteTimeoutMs(): number {
  const s = Number(process.env.OFFICE_DOC_REMOTE_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 20_000;
}

/**
 * The environment of a fetch or push: ssh gives up connecting after the time limit and never asks
 * for a password (BatchMode), http(s) gives up on a stalled transfer; a command the user set
 * (GIT_SSH_COMMAND, core.sshCommand) is theirs. The process itself is stopped at the time limit.
 */
function remoteEnv(): Record<string, string> {
  const secs = String(Math.max(1, Math.round(remoteTimeoutMs() / 1000)));
  const env: Record<string, string> = {
    GIT_HTTP_LOW_SPEED_LIMIT: process.env.GIT_HTTP_LOW_SPEED_LIMIT ?? "1000",
    GIT_HTTP_LOW_SPEED_TIME: process.env.GIT_HTTP_LOW_SPEED_TIME ?? secs,
  };
  if (!process.env.GIT_SSH_COMMAND && !process.env.GIT_SSH)
    env.GIT_SSH_COMMAND = `ssh -o ConnectTimeout=${secs} -o BatchMode=yes`;
  return env;
}

/** How a fetch or push that did not succeed failed. */
export interface RemoteFailure {
  ok: false;
  /** The remote refused a push that is not a fast-forward (someone pushed first). */
  rejected: boolean;
  /** Stopped at the time limit. */
  timedOut: boolean;
  message: string;
}

/** Is working offline asked for (OFFICE_DOC_OFFLINE=1): provisional ids without trying the remote. */
const forcedOffline = () => /^(1|true|yes)$/i.test(process.env.OFFICE_DOC_OFFLINE ?? "");

/**
 * A fetch or push (`args`) with the time limit: git's exit, or `killed` when it was stopped at the
 * limit (or could not run); with OFFICE_DOC_OFFLINE a failure without trying.
 */
async function remoteGit(
  dir: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string; killed?: boolean }> {
  if (forcedOffline()) return { code: -1, stdout: "", stderr: "OFFICE_DOC_OFFLINE", killed: false };
  return git(dir, args, { env: remoteEnv(), timeoutMs: remoteTimeoutMs(), okCodes: [1, 128] }).catch(
    (e: OfficeError) => ({
      code: -1,
      stdout: "",
      stderr: String(e.params?.message ?? e.message),
      killed: true,
    }),
  );
}

/**
 * Fetch the remote's branches into `refs/remotes/<name>/`. Returns the remote's head of this
 * clone's branch (undefined when the remote has none yet), or how it failed.
 */
export async function fetchRemote(
  dir: string,
  remote: Remote,
): Promise<{ ok: true; upstream: string | undefined } | RemoteFailure> {
  const r = await remoteGit(dir, [
    "fetch",
    "--quiet",
    "--no-tags",
    "--no-write-fetch-head",
    // office-doc keeps the repository itself (maybeMaintain): no gc at the end of a fetch.
    "--no-auto-gc",
    remote.name,
    `+refs/heads/*:refs/remotes/${remote.name}/*`,
  ]);
  if (r.code !== 0) {
    const timedOut = r.killed === true;
    return { ok: false, rejected: false, timedOut, message: firstLine(r.stderr) };
  }
  const ref = `refs/remotes/${remote.name}/${remote.branch}`;
  const up = await git(dir, ["rev-parse", "--verify", "-q", `${ref}^{commit}`], { okCodes: [1, 128] });
  return { ok: true, upstream: up.code === 0 ? up.stdout.trim() : undefined };
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim() !== "") ?? "").replace(/^(fatal|error): /, "").trim();
}

/**
 * Push `commit` to the remote's branch (refused by the remote unless it is a fast-forward), and
 * `extra` refspecs with it in one push. On success the remote-tracking ref is set to it.
 */
export async function pushRemote(
  dir: string,
  remote: Remote,
  commit: string,
  extra: string[] = [],
): Promise<{ ok: true } | RemoteFailure> {
  const r = await remoteGit(dir, [
    "push",
    "--porcelain",
    "--quiet",
    remote.name,
    `${commit}:refs/heads/${remote.branch}`,
    ...extra,
  ]);
  if (r.code === 0) {
    await git(dir, ["update-ref", `refs/remotes/${remote.name}/${remote.branch}`, commit]);
    return { ok: true };
  }
  const all = `${r.stdout}\n${r.stderr}`;
  const rejected =
    /\[(remote )?rejected\]|non-fast-forward|fetch first|failed to (update|lock) ref|cannot lock ref/.test(
      all,
    );
  return {
    ok: false,
    rejected,
    timedOut: r.killed === true,
    message: firstLine(r.stderr || r.stdout),
  };
}

/** Thrown by the first number of a write when bringing the clone up to date moved HEAD: run it again. */
export class Restart extends Error {
  constructor() {
    super("restart the write on the updated registry");
  }
}

/** How many times a write is made again after the remote refused its push. */
const MAX_ROUNDS = 8;

/**
 * One command's dealings with the remote, under the registry lock (transact, sync, resolve).
 * Allocation calls `connect` before its first number (RemoteNumbers); transact pushes a write that
 * took a number, or every write with `sync.auto`.
 */
export class ShareSession implements RemoteNumbers {
  state: "unknown" | "online" | "offline" = "unknown";
  upstream: string | undefined;
  /** Did the current run of the write take a final number? */
  allocatedNow = false;
  /** Run before HEAD moves inside a write: ends the git processes it started (they hold git's index). */
  beforeMove: () => Promise<void> = async () => undefined;
  rounds = 0;
  /** Conflicts are the caller's to report (sync, resolve): no warning of them. */
  quietConflicts = false;
  /** Conflicts met when bringing this clone up to date (sync reports them). */
  conflicts: RebaseConflict[] = [];

  constructor(
    readonly reg: Registry,
    readonly r: Remote,
    readonly command: string,
  ) {}

  get remote(): string {
    return this.r.name;
  }

  /** Why the last fetch or push failed (git's words). */
  lastFailure = "";

  /**
   * Fetch: true when the remote answered; offline otherwise, said in a warning unless `quiet` (the
   * caller reports it). A time-out fails (exit 1): the remote may be there, only slow.
   */
  async fetch(quiet = false): Promise<boolean> {
    const f = await fetchRemote(this.reg.dir, this.r);
    if (f.ok) {
      this.state = "online";
      this.upstream = f.upstream;
      return true;
    }
    this.lastFailure = f.message;
    if (f.timedOut) throw failed("share.timeout", { remote: this.r.name, url: this.r.url });
    if (quiet) this.state = "offline";
    else this.goOffline(f.message);
    return false;
  }

  /** Work offline from now on; `message` (git's words) is said in a warning, once. */
  private goOffline(message?: string): void {
    if (this.state !== "offline" && message !== undefined)
      notify({
        key: "share.offline",
        params: { remote: this.r.name, url: this.r.url, message },
        warning: true,
      });
    this.state = "offline";
  }

  async connect(): Promise<"online" | "offline"> {
    if (this.state !== "unknown") return this.state;
    if (!(await this.fetch())) return "offline";
    const r = await this.integrate();
    if (r.conflicts.length) {
      // This clone cannot take the remote's work before a person resolves: numbers wait too.
      this.goOffline();
      return "offline";
    }
    if (r.moved) throw new Restart();
    return "online";
  }

  allocated(): void {
    this.allocatedNow = true;
  }

  /**
   * Bring this clone up to date with the fetched upstream: its own commits made again on top
   * (provisional ids renamed), HEAD moved, the work tree and git's index with it. With conflicts
   * nothing changes (they are returned and kept in `conflicts`, and a notice names them).
   */
  async integrate(
    extra: Partial<RebaseOptions> = {},
  ): Promise<{ moved: boolean; conflicts: RebaseConflict[] }> {
    const head = (await headCommit(this.reg.dir)) ?? "";
    // Nothing new on either side (the usual case of a registration): no git process.
    if (head === this.upstream && !extra.drop?.size && !extra.keep?.size) {
      this.conflicts = [];
      this.lastPlan = { renamed: [], dropped: [], ahead: 0 };
      return { moved: false, conflicts: [] };
    }
    const plan = await planRebase(this.reg, { head, upstream: this.upstream, ...extra });
    this.conflicts = plan.conflicts;
    if (plan.conflicts.length) {
      if (!extra.keep && !this.quietConflicts)
        notify({
          key: "share.conflict-pending",
          params: {
            ids: [...new Set(plan.conflicts.map((c) => c.record?.id ?? c.path))].join(", "),
            remote: this.r.name,
          },
          warning: true,
        });
      return { moved: false, conflicts: plan.conflicts };
    }
    this.lastPlan = plan;
    if (plan.head === head) return { moved: false, conflicts: [] };
    await this.beforeMove();
    await moveHead(this.reg.dir, head, plan.head, {
      objects: () => ({ files: plan.objectFiles, folders: plan.objectFolders }),
      journal: { dir: this.reg.path(LOCAL_DIR), command: this.command },
      reflog: `office-doc ${this.command}: onto ${this.r.name}/${this.r.branch}`,
    });
    for (const [from, to] of plan.renamed) {
      // A rename of a rename (the remote took the new id too before the push): one rename.
      const first = [...this.renames].find(([, now]) => now === from)?.[0] ?? from;
      this.renames.set(first, to);
    }
    return { moved: true, conflicts: [] };
  }

  /** What the last successful integrate did (sync prints its renames and set-aside events). */
  lastPlan:
    | { renamed: [string, string][]; dropped: { id: string; events: HistoryEvent[] }[]; ahead: number }
    | undefined;

  /** Push HEAD (if the remote lacks it) with `extra` refspecs. */
  async push(extra: string[] = []): Promise<{ ok: true } | RemoteFailure> {
    const head = (await headCommit(this.reg.dir)) ?? "";
    if (head === this.upstream && !extra.length) return { ok: true };
    const r = await pushRemote(this.reg.dir, this.r, head, extra);
    if (r.ok) this.upstream = head;
    return r;
  }

  /** Ids renamed by this command's rebases, not yet said: first id -> id now (see announce). */
  private renames = new Map<string, string>();

  /**
   * Say the renames (`IN-2026-L0003 is now IN-2026-0057`) and keep them for `show OLD-ID`: once
   * they are final (pushed) or kept (the command succeeded without reaching the remote again).
   */
  announce(): void {
    if (!this.renames.size) return;
    const map = renamedIds(this.reg);
    for (const [from, to] of this.renames) {
      map[from] = to;
      notify({ key: "share.renamed-now", params: { from, to } });
    }
    this.renames.clear();
    try {
      writeFileAtomic(this.reg.path(LOCAL_DIR, RENAMED_FILE), JSON.stringify(map), { durable: false });
    } catch {
      // Only `show OLD-ID` needs it.
    }
  }

  /** HEAD when the command began (see restore). */
  private startHead: string | undefined;

  /** Note where HEAD is as the command begins, under the lock. */
  async remember(): Promise<void> {
    this.startHead = await headCommit(this.reg.dir);
  }

  /**
   * After a failed command: HEAD, the work tree and git's index back where the command found them
   * (what the remote brought in and this clone's commits made again are undone; the remote-tracking
   * ref keeps what was fetched). Never throws: the command's own error is what is reported.
   */
  async restore(): Promise<void> {
    this.renames.clear();
    try {
      const now = await headCommit(this.reg.dir);
      if (!this.startHead || !now || now === this.startHead) return;
      await moveHead(this.reg.dir, now, this.startHead, {
        journal: { dir: this.reg.path(LOCAL_DIR), command: this.command },
        reflog: `office-doc ${this.command}: failed, back to where it was`,
      });
    } catch {
      // The next sync brings the clone up to date anyway.
    }
  }

  /** Take back the last commit of this clone (a write whose push failed): HEAD to its parent. */
  private async dropTip(commit: string): Promise<void> {
    const parent = (await git(this.reg.dir, ["rev-parse", `${commit}^`])).stdout.trim();
    await moveHead(this.reg.dir, commit, parent, {
      journal: { dir: this.reg.path(LOCAL_DIR), command: this.command },
      reflog: `office-doc ${this.command}: undone, ${this.r.name} took the number first`,
    });
  }

  /**
   * Share a write's commit (HEAD). `strict` (it took a final number): on a refused push the remote
   * is fetched, the commit taken back, this clone brought up to date, and "again" says to run the
   * write again (a new number); when the remote cannot be reached the commit is taken back and the
   * session goes offline ("again": a provisional id, or a refusal for document numbers); past the
   * rounds or the time limit it is taken back and the command fails (share.busy, share.timeout).
   * Not strict (`sync.auto`): the commit stays whatever happens, and a failure is a warning.
   */
  async publish(commit: string, strict: boolean): Promise<"pushed" | "again" | "kept"> {
    for (;;) {
      const r = await this.push();
      if (r.ok) return "pushed";
      const unreachable = !r.rejected;
      if (strict && r.timedOut) {
        await this.dropTip(commit);
        throw failed("share.timeout", { remote: this.r.name, url: this.r.url });
      }
      if (unreachable) {
        if (strict) await this.dropTip(commit);
        this.lastFailure = r.message;
        this.goOffline(r.message);
        return strict ? "again" : "kept";
      }
      if (++this.rounds > MAX_ROUNDS) {
        if (strict) {
          await this.dropTip(commit);
          throw failed("share.busy", { remote: this.r.name, rounds: MAX_ROUNDS });
        }
        notify({ key: "share.not-pushed", params: { remote: this.r.name }, warning: true });
        return "kept";
      }
      // Someone pushed first: take what they pushed.
      if (!(await this.fetch())) {
        if (strict) await this.dropTip(commit);
        return strict ? "again" : "kept";
      }
      const drop = strict ? new Set([commit]) : undefined;
      const res = await this.integrate(drop ? { drop } : {});
      if (res.conflicts.length) {
        if (strict) {
          await this.dropTip(commit);
          this.goOffline();
          return "again";
        }
        return "kept";
      }
      if (strict) return "again";
    }
  }
}

/**
 * Sync first, for a write with `sync.auto`: fetch and bring this clone up to date; when the remote
 * cannot be reached, or a conflict waits for `resolve`, the write goes on offline (warned).
 */
export async function syncFirst(share: ShareSession): Promise<void> {
  if (!(await share.fetch())) return;
  const r = await share.integrate();
  if (r.conflicts.length) share.state = "offline";
}

/** The merge driver's name in git's config and attributes. */
const DRIVER = "office-doc";
const ATTRIBUTES_LINE = `records/**/*.yaml merge=${DRIVER}`;

/**
 * Let git merge record files the way sync does, when a person runs `git pull` or `git merge` by
 * hand: this clone's `.git/info/attributes` sends every record file (`records/` ... `.yaml`) to the merge driver
 * `office-doc merge-driver` (git config `merge.office-doc.driver`, this bin), which merges a record
 * by its events and never writes a conflict marker. Per clone (git shares neither file); set by
 * `remote add` and `sync`. Idempotent; returns whether anything was written.
 */
export async function ensureMergeDriver(dir: string, command: string): Promise<boolean> {
  let wrote = false;
  const cfg = await gitConfig(dir);
  if (cfg.get(`merge.${DRIVER}.driver`) !== command) {
    await git(dir, [
      "config",
      "--local",
      `merge.${DRIVER}.name`,
      "office-doc: records merged by their events",
    ]);
    await git(dir, ["config", "--local", `merge.${DRIVER}.driver`, command]);
    wrote = true;
  }
  const rel = (await git(dir, ["rev-parse", "--git-path", "info/attributes"])).stdout.trim();
  const file = rel.startsWith("/") ? rel : join(dir, rel);
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = "";
  }
  if (!text.split("\n").includes(ATTRIBUTES_LINE)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, `${text}${text && !text.endsWith("\n") ? "\n" : ""}${ATTRIBUTES_LINE}\n`, {
      durable: false,
    });
    wrote = true;
  }
  return wrote;
}
