import {
  type AuditConfig,
  type AuditProblem,
  auditCommit,
  type CommitMeta,
  canonical,
  detailsOf,
  differences,
  type RecordChange,
  replayContext,
  replayEvent,
  rewrittenEvent,
  TRAILER,
} from "../core/audit.js";
import { Calendar, type CalendarYear, validateCalendarYear } from "../core/calendar.js";
import { fixRecord } from "../core/engine.js";
import type { CoreHooks } from "../core/hooks.js";
import { asideKey, asideKeys } from "../core/merge.js";
import type { HistoryEvent, OfficeConfig, RecordDoc } from "../core/model.js";
import { validateOffice } from "../core/office.js";
import { OfficeError } from "../core/problems.js";
import { normalizeRecord } from "../core/record.js";
import { validateWorkflow, type WorkflowDef } from "../core/workflow.js";
import { git, isAncestor } from "./git.js";
import { childProcess, fastLoad } from "./lazy.js";
import { chineseDaysLunar } from "./lunar.js";
import { OFFICE_FILE, parseRecordRel } from "./registry.js";
import { allowedSignersOf, splitSignature, verifySignatures } from "./signing.js";

/**
 * `office-doc verify` (issue 18): the audit of the registry's git history. One `git log --raw`
 * stream gives each commit's people, trailers and the blob ids of the files it changed; one
 * long-running `git cat-file --batch` gives the record versions (each parsed once: the version a
 * commit leaves is the one the next commit of that record starts from, kept in a bounded cache);
 * src/core/audit.ts judges each commit with the office, workflows and calendar of its parent (kept
 * as blob ids, parsed once each). Numbers (document numbers, archive items) are checked to be the
 * next of their series after the walk. The last verified commit is `refs/office-doc/verified`
 * (`refs/office-doc/verified-signatures` for `--signatures`), moved by a compare-and-swap, pushed by
 * `sync`; a verified commit that is not an ancestor of HEAD means history was rewritten.
 */

export const VERIFIED_REF = "refs/office-doc/verified";
export const SIGNATURES_REF = "refs/office-doc/verified-signatures";

const ZERO = /^0+$/;

/** A git object read by BlobReader. */
interface GitBlob {
  type: string;
  body: Buffer;
}

/**
 * One `git cat-file --batch` for a whole walk: `read(oids)` writes the names and resolves with the
 * objects in order, several requests in flight at once.
 */
class BlobReader {
  private child: ReturnType<ReturnType<typeof childProcess>["spawn"]>;
  private buf: Buffer = Buffer.alloc(0);
  private queue: {
    n: number;
    out: (GitBlob | undefined)[];
    resolve: (v: (GitBlob | undefined)[]) => void;
    reject: (e: Error) => void;
  }[] = [];
  private failed?: Error;

  constructor(dir: string) {
    this.child = childProcess().spawn("git", ["cat-file", "--batch"], {
      cwd: dir,
      env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
      stdio: ["pipe", "pipe", "ignore"],
    });
    this.child.stdout?.on("data", (b: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, b]) : b;
      this.drain();
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const q of this.queue.splice(0)) q.reject(e);
    };
    this.child.on("error", fail);
    this.child.on("close", () => {
      if (this.queue.length) fail(new Error("git cat-file --batch ended early"));
    });
    this.child.stdin?.on("error", () => undefined);
  }

  private drain(): void {
    while (this.queue.length) {
      const q = this.queue[0] as (typeof this.queue)[number];
      const eol = this.buf.indexOf(0x0a);
      if (eol < 0) return;
      const header = this.buf.toString("latin1", 0, eol);
      const m = /^([0-9a-f]+) ([a-z]+) (\d+)$/.exec(header);
      if (!m) {
        q.out.push(undefined);
        this.buf = this.buf.subarray(eol + 1);
      } else {
        const size = Number(m[3]);
        if (this.buf.length < eol + 1 + size + 1) return;
        q.out.push({ type: m[2] as string, body: Buffer.from(this.buf.subarray(eol + 1, eol + 1 + size)) });
        this.buf = this.buf.subarray(eol + 1 + size + 1);
      }
      if (q.out.length === q.n) {
        this.queue.shift();
        q.resolve(q.out);
      }
    }
  }

  read(names: readonly string[]): Promise<(GitBlob | undefined)[]> {
    if (!names.length) return Promise.resolve([]);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ n: names.length, out: [], resolve, reject });
      this.child.stdin?.write(names.map((n) => `${n}\n`).join(""));
    });
  }

  close(): void {
    this.child.stdin?.end();
  }
}

/** A changed path of a commit: blob ids before and after (undefined: no file). */
interface RawChange {
  path: string;
  before?: string;
  after?: string;
}

/** A commit of the log stream. */
interface LoggedCommit extends CommitMeta {
  raw: RawChange[];
}

const FORMAT = `--format=%x1e${["%H", "%P", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%(trailers:only,unfold)"].join("%x1f")}%x1f`;

function parseTrailers(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) out[m[1] as string] = (m[2] as string).trim();
  }
  return out;
}

/** One block of `git log -z --raw FORMAT` (from its \x1e to the next). */
function parseBlock(block: string): LoggedCommit | undefined {
  const end = block.lastIndexOf("\x1f");
  if (end < 0) return undefined;
  const [commit = "", parents = "", an = "", ae = "", at = "", cn = "", ce = "", ct = "", tr = ""] = block
    .slice(0, end)
    .split("\x1f");
  const raw: RawChange[] = [];
  const parts = block.slice(end + 1).split("\0");
  for (let i = 0; i < parts.length; i++) {
    const meta = (parts[i] as string).replace(/^\n/, "");
    if (!meta.startsWith(":")) continue;
    const path = parts[++i] ?? "";
    const [, , before = "", after = ""] = meta.slice(1).split(" ");
    raw.push({
      path,
      ...(ZERO.test(before) ? {} : { before }),
      ...(ZERO.test(after) ? {} : { after }),
    });
  }
  return {
    commit,
    parents: parents.split(" ").filter(Boolean),
    author: { name: an, email: ae, time: Number(at) },
    committer: { name: cn, email: ce, time: Number(ct) },
    trailers: parseTrailers(tr),
    raw,
  };
}

/**
 * The commits of `args` (a revision range and options for `git log`), oldest first, parents before
 * children, in batches of about `size`, as git writes them.
 */
async function* logStream(dir: string, args: string[], size = 400): AsyncGenerator<LoggedCommit[]> {
  const child = childProcess().spawn(
    "git",
    ["log", "--reverse", "--topo-order", "--no-abbrev", "--raw", "--no-renames", "-z", FORMAT, ...args],
    {
      cwd: dir,
      env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let err = "";
  child.stderr?.on("data", (b: Buffer) => {
    err += b.toString();
  });
  const closed = new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? 1)));
  let rest = "";
  let batch: LoggedCommit[] = [];
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    rest += decoder.decode(chunk, { stream: true });
    const blocks = rest.split("\x1e");
    rest = blocks.pop() ?? "";
    for (const b of blocks) {
      const c = b ? parseBlock(b) : undefined;
      if (c) batch.push(c);
    }
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  const last = rest ? parseBlock(rest) : undefined;
  if (last) batch.push(last);
  if (batch.length) yield batch;
  const code = await closed;
  if (code !== 0)
    throw new OfficeError("failed", "git.failed", {
      command: "git log",
      message: err.trim().split("\n")[0] ?? "",
    });
}

/** Is `path` one of the files the office's setup is made of? */
export function isConfigPath(path: string): boolean {
  return (
    path === OFFICE_FILE ||
    (path.startsWith("workflows/") && path.endsWith(".yaml") && !path.slice(10).includes("/")) ||
    /^calendar\/\d{4}\.yaml$/.test(path)
  );
}

/**
 * The office, workflows and calendar of a tree, by the blob ids of its setup files: each file parsed
 * and validated once per blob (workflows per blob and the office's roles).
 */
class ConfigCache {
  private raws = new Map<string, unknown>();
  private offices = new Map<string, OfficeConfig>();
  private workflows = new Map<string, WorkflowDef | undefined>();
  private years = new Map<string, CalendarYear | undefined>();
  private configs = new Map<string, AuditConfig>();

  constructor(private readonly blobs: BlobReader) {}

  private bySet = new WeakMap<ReadonlyMap<string, string>, AuditConfig>();

  /** The configuration of the setup files `files` (path -> blob id); the same map object, no work. */
  async of(files: ReadonlyMap<string, string>): Promise<AuditConfig> {
    const known = this.bySet.get(files);
    if (known) return known;
    const cfg = await this.load(files);
    this.bySet.set(files, cfg);
    return cfg;
  }

  private async load(files: ReadonlyMap<string, string>): Promise<AuditConfig> {
    const key = [...files]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([p, b]) => `${p}=${b}`)
      .join("\n");
    const hit = this.configs.get(key);
    if (hit) return hit;
    const wanted = [...new Set(files.values())].filter((b) => !this.raws.has(b));
    const objects = await this.blobs.read(wanted);
    wanted.forEach((b, i) => {
      let v: unknown;
      try {
        v = fastLoad(objects[i]?.body.toString("utf8") ?? "");
      } catch {
        v = undefined;
      }
      this.raws.set(b, v);
    });
    const load = (b: string) => this.raws.get(b);
    const officeBlob = files.get(OFFICE_FILE);
    let office = officeBlob ? this.offices.get(officeBlob) : undefined;
    if (!office && officeBlob) {
      office = validateOffice(load(officeBlob)).value;
      if (office) this.offices.set(officeBlob, office);
    }
    if (!office) throw new OfficeError("failed", "verify.no-office", { file: OFFICE_FILE });
    const roles = office.roles.map((r) => r.id);
    const workflows = new Map<string, WorkflowDef>();
    const years: CalendarYear[] = [];
    for (const [path, blob] of files) {
      if (path.startsWith("workflows/")) {
        const kind = path.slice(10, -5);
        const k = `${blob}|${roles.join(",")}`;
        if (!this.workflows.has(k)) {
          this.workflows.set(k, validateWorkflow(load(blob), kind, roles).value);
        }
        const wf = this.workflows.get(k);
        if (wf) workflows.set(kind, wf);
      } else if (path.startsWith("calendar/")) {
        if (!this.years.has(blob))
          this.years.set(blob, validateCalendarYear(load(blob), Number(path.slice(9, 13))).value);
        const y = this.years.get(blob);
        if (y) years.push(y);
      }
    }
    const cfg: AuditConfig = { office, workflows, calendar: new Calendar(years, chineseDaysLunar) };
    if (this.configs.size > 64) this.configs.clear();
    this.configs.set(key, cfg);
    return cfg;
  }
}

/** The setup files of a commit's tree (path -> blob id); empty before the first commit. */
async function setupFilesAt(dir: string, commit: string | undefined): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!commit) return out;
  const r = await git(dir, [
    "ls-tree",
    "-r",
    "-z",
    "--full-tree",
    commit,
    "--",
    OFFICE_FILE,
    "workflows",
    "calendar",
  ]);
  for (const rec of r.stdout.split("\0").filter(Boolean)) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(rec);
    if (m && isConfigPath(m[2] as string)) out.set(m[2] as string, m[1] as string);
  }
  return out;
}

/** A record version as the audit reads it: parsed, or why not. */
function parseRecord(body: Buffer | undefined): RecordDoc | { error: string } {
  if (!body) return { error: "missing" };
  try {
    const raw = fastLoad(body.toString("utf8"));
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { error: "not a map" };
    return normalizeRecord(raw as Record<string, unknown>);
  } catch (e) {
    return { error: (e as Error).message.split("\n")[0] ?? "" };
  }
}

/** Parsed record versions by blob id, the most recent kept (a record's next commit starts from it). */
class VersionCache {
  private map = new Map<string, RecordDoc | { error: string }>();
  constructor(private readonly max = 20_000) {}
  get(blob: string): RecordDoc | { error: string } | undefined {
    return this.map.get(blob);
  }
  set(blob: string, v: RecordDoc | { error: string }): void {
    this.map.delete(blob);
    this.map.set(blob, v);
    if (this.map.size > this.max) {
      const first = this.map.keys().next().value;
      if (first !== undefined) this.map.delete(first);
    }
  }
}

/** One problem of a verify run, with what repaired it when a later `fix` did. */
export interface VerifyProblem extends AuditProblem {
  /** The `fix` commit and its administrator, when a later fix of the record repaired it. */
  repairedBy?: { commit: string; by: string; reason: string };
}

export interface VerifyOptions {
  /** Verify from this commit (inclusive) whatever the verified ref says; the ref is not moved. */
  from?: string;
  /** Accept every commit before this one without looking at it, then verify from it; moves the ref. */
  acceptBefore?: string;
  /** Check signatures as well (against office.yaml's `signing_key`s at each commit). */
  signatures?: boolean;
  hooks?: CoreHooks;
  /**
   * The numbers the records at HEAD hold, of the series `keys` (`docno:<kind>:<series>`,
   * `archive:<series>`), for an incremental run: the CLI gives them from the record index (fast);
   * without, every record file at HEAD is read.
   */
  numbersAtHead?: (keys: ReadonlySet<string>) => Promise<[string, number][]>;
  /** Progress: commits done. */
  progress?: (done: number) => void;
}

export interface VerifyReport {
  /** The first commit looked at's parent (undefined: from the first commit). */
  base?: string;
  head?: string;
  commits: number;
  problems: VerifyProblem[];
  /** The verified ref moved to this commit (undefined: not moved). */
  verified?: string;
  /** The verified ref was not an ancestor of HEAD: history was rewritten since the last verify. */
  rewritten?: string;
}

async function revParse(dir: string, rev: string): Promise<string | undefined> {
  const r = await git(dir, ["rev-parse", "-q", "--verify", `${rev}^{commit}`], { okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** What the walk needs of the records a commit changed: their versions, from the cache or git. */
async function recordChanges(
  commits: readonly LoggedCommit[],
  blobs: BlobReader,
  versions: VersionCache,
): Promise<Map<string, RecordChange[]>> {
  const need = new Set<string>();
  for (const c of commits)
    for (const r of c.raw) {
      if (!r.path.startsWith("records/")) continue;
      for (const b of [r.before, r.after]) if (b && versions.get(b) === undefined) need.add(b);
    }
  const list = [...need];
  const objects = await blobs.read(list);
  const fetched = new Map<string, RecordDoc | { error: string }>();
  list.forEach((b, i) => fetched.set(b, parseRecord(objects[i]?.body)));
  const out = new Map<string, RecordChange[]>();
  for (const c of commits) {
    const changes: RecordChange[] = [];
    for (const r of c.raw) {
      if (!r.path.startsWith("records/")) continue;
      const parsed = parseRecordRel(r.path);
      const get = (b: string | undefined) => (b ? (versions.get(b) ?? fetched.get(b)) : undefined);
      const before = get(r.before);
      const after = get(r.after);
      if (r.after && after) versions.set(r.after, after);
      changes.push({
        rel: r.path,
        id: parsed?.id ?? r.path,
        kind: parsed?.kind ?? "",
        ...(before ? { before } : {}),
        ...(after ? { after } : {}),
      });
    }
    out.set(c.commit, changes);
  }
  return out;
}

/**
 * What a merge commit itself brought: the files that differ from every one of its parents. A file
 * taken from one side was verified in that side's commits (the walk goes through both); content
 * that neither side had (an "evil merge") is the merge's own, and without trailers it is reported.
 */
async function mergeOwnRaw(dir: string, c: LoggedCommit): Promise<RawChange[]> {
  let raw = await mergeRaw(dir, c);
  for (const p of c.parents.slice(1)) {
    if (!raw.length) break;
    const names = await git(dir, ["diff-tree", "-r", "-z", "--name-only", "--no-renames", p, c.commit]);
    const differs = new Set(names.stdout.split("\0").filter(Boolean));
    raw = raw.filter((r) => differs.has(r.path));
  }
  return raw;
}

/** A merge commit's changes against its first parent (git log shows none for merges by default). */
async function mergeRaw(dir: string, c: LoggedCommit): Promise<RawChange[]> {
  const r = await git(dir, [
    "diff-tree",
    "-r",
    "-z",
    "--no-abbrev",
    "--no-renames",
    c.parents[0] as string,
    c.commit,
  ]);
  const out: RawChange[] = [];
  const parts = r.stdout.split("\0");
  for (let i = 0; i < parts.length; i++) {
    const meta = parts[i] as string;
    if (!meta.startsWith(":")) continue;
    const path = parts[++i] ?? "";
    const [, , before = "", after = ""] = meta.slice(1).split(" ");
    out.push({ path, ...(ZERO.test(before) ? {} : { before }), ...(ZERO.test(after) ? {} : { after }) });
  }
  return out;
}

/** A `fix` seen in the walk: checked once the walk is done (it needs the record's history). */
interface SeenFix {
  commit: string;
  rel: string;
  id: string;
  event: HistoryEvent;
  /** The version before, unless it did not read as a record. */
  before?: RecordDoc;
  after: RecordDoc;
  cfg: AuditConfig;
}

/**
 * Walk the history (see the module's comment) and report. Errors: OfficeError when git fails or a
 * commit named by an option is not one.
 */
export async function verifyRegistry(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const head = await revParse(dir, "HEAD");
  if (!head) return { commits: 0, problems: [] };
  const refName = opts.signatures ? SIGNATURES_REF : VERIFIED_REF;
  const problems: VerifyProblem[] = [];
  let base: string | undefined;
  let rewritten: string | undefined;
  let moveRef = opts.from === undefined;
  const named = async (rev: string, option: string) => {
    const c = await revParse(dir, rev);
    if (!c) throw new OfficeError("usage", "verify.bad-commit", { option, commit: rev });
    return c;
  };
  const oldRef = await revParse(dir, refName);
  if (opts.from !== undefined || opts.acceptBefore !== undefined) {
    const c = await named(
      (opts.from ?? opts.acceptBefore) as string,
      opts.from ? "--from" : "--accept-before",
    );
    if (!(await isAncestor(dir, c, head)))
      throw new OfficeError("usage", "verify.not-in-history", { commit: c.slice(0, 12) });
    base = await revParse(dir, `${c}^`);
  } else if (oldRef) {
    if (await isAncestor(dir, oldRef, head)) base = oldRef;
    else {
      rewritten = oldRef;
      moveRef = false;
      const mb = await git(dir, ["merge-base", oldRef, head], { okCodes: [1, 128] });
      base = mb.code === 0 ? mb.stdout.trim() || undefined : undefined;
    }
  }
  const blobs = new BlobReader(dir);
  const configs = new ConfigCache(blobs);
  const versions = new VersionCache();
  const numbers: { commit: string; order: number; id: string; key: string; n: number; number: string }[] = [];
  const fixes: SeenFix[] = [];
  const resolves: SeenFix[] = [];
  const order = new Map<string, number>();
  const signed: SignedItem[] = [];
  let commits = 0;
  try {
    // The setup files as the walk goes: those of the previous commit, or read for another parent.
    let setup = await setupFilesAt(dir, base);
    let setupOf: string | undefined = base;
    for await (const batch of logStream(dir, [base ? `${base}..${head}` : head])) {
      for (const c of batch) if (c.parents.length > 1) c.raw = await mergeOwnRaw(dir, c);
      const changes = await recordChanges(batch, blobs, versions);
      for (const c of batch) {
        order.set(c.commit, commits++);
        const parent = c.parents[0];
        if (parent !== setupOf) setup = await setupFilesAt(dir, parent);
        const before = await configs.of(setup).catch(() => undefined);
        const configFiles: string[] = [];
        for (const r of c.raw) if (isConfigPath(r.path)) configFiles.push(r.path);
        if (configFiles.length) {
          // A new map only when the setup changed: ConfigCache knows an unchanged one by identity.
          const next = new Map(setup);
          for (const r of c.raw)
            if (isConfigPath(r.path)) {
              if (r.after) next.set(r.path, r.after);
              else next.delete(r.path);
            }
          setup = next;
        }
        // After a merge the setup is read again (its raw changes leave out what one side brought).
        setupOf = c.parents.length > 1 ? "" : c.commit;
        const after = configFiles.length ? await configs.of(setup).catch(() => undefined) : before;
        const egovFiles = c.raw.filter((r) => r.path.startsWith("egov/")).map((r) => r.path);
        const recs = changes.get(c.commit) ?? [];
        if (!after || (!before && c.parents.length)) {
          // No office at all (a registry broken at this commit): every change is named.
          for (const r of recs)
            problems.push({
              commit: c.commit,
              record: r.id,
              file: r.rel,
              code: "verify.no-office",
              params: { file: OFFICE_FILE },
            });
          continue;
        }
        const res = auditCommit({
          meta: c,
          changes: recs,
          configFiles,
          egovFiles,
          before: before ?? after,
          after,
          ...(opts.hooks ? { hooks: opts.hooks } : {}),
        });
        problems.push(...res.problems);
        for (const n of res.numbers) numbers.push({ commit: c.commit, order: commits, ...n });
        for (const ch of recs) {
          const a = ch.after;
          const b = ch.before;
          if (!a || "error" in a) continue;
          const ev = a.history[a.history.length - 1];
          // A fix or a resolve is checked against the whole history once the walk is done.
          const later = ev?.action === "fix" ? fixes : ev?.action === "resolve" ? resolves : undefined;
          if (ev && later && !res.problems.some((p) => p.record === ch.id))
            later.push({
              commit: c.commit,
              rel: ch.rel,
              id: ch.id,
              event: ev,
              ...(b && !("error" in b) ? { before: b } : {}),
              after: a,
              cfg: before ?? after,
            });
        }
        if (opts.signatures) {
          const recorder = c.trailers[TRAILER.recorder];
          const office = (before ?? after).office;
          if (recorder && office.people.find((p) => p.id === recorder)?.signing_key)
            signed.push({ commit: c.commit, recorder, office, record: c.trailers[TRAILER.record] });
        }
      }
      opts.progress?.(commits);
    }
    problems.push(...(await numberProblems(dir, numbers, base === undefined, opts.numbersAtHead)));
    await checkResolves(dir, resolves, blobs, configs, opts.hooks, problems);
    const repaired = await checkFixes(dir, fixes, blobs, configs, opts.hooks, problems);
    for (const p of problems) {
      const fix = repaired.find((f) => f.id === p.record && f.event.fixes?.includes(p.commit));
      if (fix) p.repairedBy = { commit: fix.commit, by: fix.event.actor, reason: fix.event.reason ?? "" };
    }
    if (opts.signatures) problems.push(...(await signatureProblems(signed, blobs)));
  } finally {
    blobs.close();
  }
  const failing = problems.filter((p) => !p.repairedBy);
  failing.sort((a, b) => (order.get(a.commit) ?? 0) - (order.get(b.commit) ?? 0));
  let verified: string | undefined;
  if (moveRef) {
    let target: string | undefined = head;
    if (failing.length) {
      // Every commit before the first problem (parents come first in the walk) is verified.
      const first = order.get((failing[0] as VerifyProblem).commit) ?? 0;
      target = first > 0 ? [...order].find(([, i]) => i === first - 1)?.[0] : undefined;
    }
    if (target && target !== oldRef) {
      const refs = opts.signatures
        ? [SIGNATURES_REF, ...(failing.length ? [] : [VERIFIED_REF])]
        : [VERIFIED_REF];
      for (const ref of refs)
        await git(dir, ["update-ref", "-m", "office-doc verify", ref, target], { okCodes: [] });
      verified = target;
    }
  }
  return {
    ...(base ? { base } : {}),
    head,
    commits,
    problems: [...failing, ...problems.filter((p) => p.repairedBy)],
    ...(verified ? { verified } : {}),
    ...(rewritten ? { rewritten } : {}),
  };
}

/**
 * Document numbers and archive items: each the next of its series (src/store/allocate.ts gives the
 * highest number + 1, gapless). From the first commit the walk knows every number; otherwise the
 * numbers given before the walk's first commit are those of the records at HEAD that the walk did
 * not see given.
 */
async function numberProblems(
  dir: string,
  given: readonly { commit: string; id: string; key: string; n: number; number: string }[],
  fromStart: boolean,
  atHead: VerifyOptions["numbersAtHead"],
): Promise<AuditProblem[]> {
  if (!given.length) return [];
  const before = new Map<string, Set<number>>();
  if (!fromStart) {
    const keys = new Set(given.map((g) => g.key));
    const inWalk = new Set(given.map((g) => `${g.key}#${g.n}`));
    for (const [key, n] of await (atHead ?? ((k) => numbersAtHead(dir, k)))(keys))
      if (!inWalk.has(`${key}#${n}`)) {
        const s = before.get(key) ?? new Set<number>();
        s.add(n);
        before.set(key, s);
      }
  }
  const max = new Map<string, number>();
  for (const [k, s] of before) max.set(k, Math.max(...s));
  const out: AuditProblem[] = [];
  for (const g of given) {
    const expected = (max.get(g.key) ?? 0) + 1;
    if (g.n !== expected)
      out.push({
        commit: g.commit,
        record: g.id,
        code: "verify.number-not-next",
        params: { id: g.id, number: g.number, expected },
      });
    max.set(g.key, Math.max(max.get(g.key) ?? 0, g.n));
  }
  return out;
}

/** The numbers of the series `keys` that the records at HEAD hold (key, number). */
async function numbersAtHead(dir: string, keys: ReadonlySet<string>): Promise<[string, number][]> {
  const kinds = new Set<string>();
  let archive = false;
  for (const k of keys) {
    if (k.startsWith("docno:")) kinds.add(k.split(":")[1] as string);
    else archive = true;
  }
  const folders = archive ? ["records"] : [...kinds].map((k) => `records/${k}`);
  const ls = await git(dir, ["ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", ...folders]);
  const blobs: { oid: string; kind: string }[] = [];
  for (const rec of ls.stdout.split("\0").filter(Boolean)) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(rec);
    const parsed = m ? parseRecordRel(m[2] as string) : undefined;
    if (m && parsed) blobs.push({ oid: m[1] as string, kind: parsed.kind });
  }
  const reader = new BlobReader(dir);
  const out: [string, number][] = [];
  try {
    const objects = await reader.read(blobs.map((b) => b.oid));
    objects.forEach((o, i) => {
      const text = o?.body.toString("utf8") ?? "";
      const kind = blobs[i]?.kind ?? "";
      // Only the two lines that matter: the archive number and any document number of the record's kind.
      for (const m of text.matchAll(/^ {2}number: "?([^"\n]*-(\d+))"?$/gm)) {
        const key = `archive:${(m[1] as string).replace(/-\d+$/, "")}`;
        if (keys.has(key)) out.push([key, Number(m[2])]);
      }
      if (kinds.has(kind))
        for (const m of text.matchAll(/(\S*\u3014\d{4}\u3015)(\d+)\u53f7/g)) {
          const key = `docno:${kind}:${(m[1] as string).replace(/^["']/, "")}`;
          if (keys.has(key)) out.push([key, Number(m[2])]);
        }
    });
  } finally {
    reader.close();
  }
  return out;
}

/** The record's versions and commits up to `upTo` (its file's history), oldest first. */
async function recordHistory(dir: string, rel: string, upTo: string): Promise<LoggedCommit[]> {
  const list = await git(dir, ["log", "--format=%H", "--full-history", upTo, "--", rel]);
  const ids = list.stdout.split("\n").filter(Boolean).reverse();
  if (!ids.length) return [];
  const out: LoggedCommit[] = [];
  const r = await git(
    dir,
    ["log", "--no-walk=unsorted", "--stdin", "--no-abbrev", "--raw", "--no-renames", "-z", FORMAT],
    { input: ids.map((c) => `${c}\n`).join("") },
  );
  for (const b of r.stdout.split("\x1e")) {
    const c = b ? parseBlock(b) : undefined;
    if (c) out.push(c);
  }
  for (const c of out) if (c.parents.length > 1) c.raw = await mergeRaw(dir, c);
  return out;
}

/**
 * The record `rel` as the engine makes it of its history up to (not including) commit `upTo`,
 * leaving out the changes of the commits `dropped`: each other commit's new events are replayed on
 * the version so far (a creation is the engine's creation from the first version's fields), with the
 * configuration of that commit's parent. This is what `fix` writes (with its event) and what verify
 * expects a `fix` to have written. Throws verify.repair-failed when an event kept does not replay.
 */
export async function rebuildRecord(
  dir: string,
  rel: string,
  upTo: string,
  dropped: ReadonlySet<string>,
  hooks: CoreHooks | undefined,
  shared: {
    blobs?: BlobReader;
    configs?: ConfigCache;
    inclusive?: boolean;
    /** Events left out as if never made (those a `resolve` set aside). */
    skip?: (e: HistoryEvent) => boolean;
  } = {},
): Promise<RecordDoc | undefined> {
  const own = !shared.blobs;
  const reader = shared.blobs ?? new BlobReader(dir);
  const cache = shared.configs ?? new ConfigCache(reader);
  try {
    const parent = await revParse(dir, shared.inclusive ? upTo : `${upTo}^`);
    if (!parent) return undefined;
    const history = await recordHistory(dir, rel, parent);
    let shadow: RecordDoc | undefined;
    for (const c of history) {
      if (dropped.has(c.commit)) continue;
      const raw = c.raw.find((r) => r.path === rel);
      if (!raw) continue;
      const [beforeObj, afterObj] = await reader.read([raw.before ?? "0", raw.after ?? "0"]);
      const before = raw.before ? parseRecord(beforeObj?.body) : undefined;
      const after = raw.after ? parseRecord(afterObj?.body) : undefined;
      if (!after || "error" in after) {
        shadow = undefined;
        continue;
      }
      const old = before && !("error" in before) ? before.history : [];
      const added = rewrittenEvent(old, after.history) < 0 ? after.history.slice(old.length) : [];
      const cfg = await cache.of(await setupFilesAt(dir, c.parents[0]));
      const wf = cfg.workflows.get(parseRecordRel(rel)?.kind ?? "");
      if (!wf)
        throw new OfficeError("failed", "verify.repair-failed", { id: rel, commit: c.commit.slice(0, 12) });
      for (const e of added) {
        if (shared.skip?.(e)) continue;
        if (
          e.action === "fix" ||
          e.action === "merge" ||
          e.action === "resolve" ||
          c.trailers[TRAILER.action]?.startsWith("calendar")
        ) {
          // A repair verified on its own, a merge (two records at once): taken as the commit left it.
          shadow = structuredClone(after);
          break;
        }
        try {
          shadow = replayEvent(shadow, after, e, replayContext(cfg, wf, e, hooks)).record;
        } catch (err) {
          if (!(err instanceof OfficeError)) throw err;
          throw new OfficeError("failed", "verify.repair-failed", {
            id: after.id,
            commit: c.commit.slice(0, 12),
          });
        }
      }
      if (!added.length && c.trailers[TRAILER.action]?.startsWith("calendar") && shadow)
        shadow = structuredClone(after);
    }
    return shadow;
  } finally {
    if (own) reader.close();
  }
}

/**
 * Check each `resolve` of the walk (issue 17, `resolve ID --keep local`): the record it wrote must
 * be the state the engine makes of the history without the events its note sets aside, with the
 * history before it (shared: never removed) and the resolve event appended.
 */
async function checkResolves(
  dir: string,
  resolves: readonly SeenFix[],
  blobs: BlobReader,
  configs: ConfigCache,
  hooks: CoreHooks | undefined,
  problems: VerifyProblem[],
): Promise<void> {
  for (const r of resolves) {
    const wf = r.cfg.workflows.get(r.after.kind);
    const aside = asideKeys(r.event);
    try {
      const base = wf
        ? await rebuildRecord(dir, r.rel, r.commit, new Set(), hooks, {
            blobs,
            configs,
            skip: (e) => aside.has(asideKey(e)),
          })
        : undefined;
      if (!wf || !base)
        throw new OfficeError("failed", "verify.repair-failed", { id: r.id, commit: r.commit.slice(0, 12) });
      const expected: RecordDoc = { ...base, history: [...(r.before?.history ?? []), r.event] };
      const diff = differences(r.after, expected, wf);
      if (diff.length)
        problems.push({
          commit: r.commit,
          record: r.id,
          file: r.rel,
          code: "verify.derived",
          params: {
            id: r.id,
            fields: diff.map((d) => d.key).join(", "),
            details: detailsOf(diff),
          },
        });
    } catch (e) {
      if (!(e instanceof OfficeError)) throw e;
      problems.push({
        commit: r.commit,
        record: r.id,
        file: r.rel,
        code: e.code,
        params: { ...e.params, message: "" },
      });
    }
  }
}

/**
 * Check each `fix` of the walk: the record it wrote must be rebuildRecord's (leaving out the commits
 * its event names) with the fix event fixRecord makes. Problems are added for fixes that are not;
 * returns the fixes that are (they repair the problems of the commits they name).
 */
async function checkFixes(
  dir: string,
  fixes: readonly SeenFix[],
  blobs: BlobReader,
  configs: ConfigCache,
  hooks: CoreHooks | undefined,
  problems: VerifyProblem[],
): Promise<SeenFix[]> {
  const good: SeenFix[] = [];
  for (const f of fixes) {
    const wf = f.cfg.workflows.get(f.after.kind);
    try {
      if (!wf)
        throw new OfficeError("failed", "verify.repair-failed", { id: f.id, commit: f.commit.slice(0, 12) });
      const repaired = await rebuildRecord(dir, f.rel, f.commit, new Set(f.event.fixes ?? []), hooks, {
        blobs,
        configs,
      });
      if (!repaired)
        throw new OfficeError("failed", "verify.repair-failed", { id: f.id, commit: f.commit.slice(0, 12) });
      const ac = replayContext(f.cfg, wf, f.event, hooks);
      const expected = fixRecord(f.before, repaired, ac, f.event.reason ?? "", [
        ...(f.event.fixes ?? []),
      ]).record;
      const diff = differences(f.after, expected, wf);
      if (diff.length)
        problems.push({
          commit: f.commit,
          record: f.id,
          file: f.rel,
          code: "verify.fix-differs",
          params: { id: f.id, fields: diff.map((d) => d.key).join(", ") },
        });
      else good.push(f);
    } catch (e) {
      if (!(e instanceof OfficeError)) throw e;
      problems.push({
        commit: f.commit,
        record: f.id,
        file: f.rel,
        code: e.code,
        params: { ...e.params, message: "" },
      });
    }
  }
  return good;
}

/** A commit whose recorder has a signing_key: the office at its parent, the record(s) it names. */
interface SignedItem {
  commit: string;
  recorder: string;
  office: OfficeConfig;
  record?: string | undefined;
}

/**
 * `--signatures`: each commit recorded by a person with a `signing_key` (office.yaml at the commit's
 * parent) must carry a signature that `ssh-keygen -Y verify` accepts for that person, from an
 * allowed-signers file made of that office's keys.
 */
async function signatureProblems(items: readonly SignedItem[], blobs: BlobReader): Promise<AuditProblem[]> {
  if (!items.length) return [];
  const objects = await blobs.read(items.map((i) => i.commit));
  const out: AuditProblem[] = [];
  const byAllowed = new Map<string, { i: number; principal: string; payload: string; signature: string }[]>();
  items.forEach((it, i) => {
    const text = objects[i]?.body.toString("utf8") ?? "";
    const { payload, signature } = splitSignature(text);
    if (!signature) {
      out.push({
        commit: it.commit,
        ...(it.record ? { record: it.record } : {}),
        code: "verify.unsigned",
        params: { person: it.recorder },
      });
      return;
    }
    const allowed = allowedSignersOf(it.office.people);
    const list = byAllowed.get(allowed) ?? [];
    list.push({ i, principal: it.recorder, payload, signature });
    byAllowed.set(allowed, list);
  });
  for (const [allowed, list] of byAllowed) {
    const ok = await verifySignatures(allowed, list);
    list.forEach((x, k) => {
      const it = items[x.i] as (typeof items)[number];
      if (!ok[k])
        out.push({
          commit: it.commit,
          ...(it.record ? { record: it.record } : {}),
          code: "verify.bad-signature",
          params: { person: it.recorder },
        });
    });
  }
  return out;
}

/** The problems of one record's commits after `since` (all of them without), for `fix`. */
export async function recordProblems(
  dir: string,
  rel: string,
  since: string | undefined,
  hooks: CoreHooks | undefined,
): Promise<AuditProblem[]> {
  const head = await revParse(dir, "HEAD");
  if (!head) return [];
  const history = await recordHistory(dir, rel, head);
  const reader = new BlobReader(dir);
  const configs = new ConfigCache(reader);
  const versions = new VersionCache();
  const out: AuditProblem[] = [];
  try {
    const accepted = since
      ? new Set((await git(dir, ["rev-list", since])).stdout.split("\n").filter(Boolean))
      : new Set<string>();
    const todo = history.filter((c) => !accepted.has(c.commit));
    const changes = await recordChanges(todo, reader, versions);
    for (const c of todo) {
      const before = await configs.of(await setupFilesAt(dir, c.parents[0])).catch(() => undefined);
      if (!before) continue;
      const configFiles = c.raw.filter((r) => isConfigPath(r.path)).map((r) => r.path);
      const after = configFiles.length ? await configs.of(await setupFilesAt(dir, c.commit)) : before;
      const res = auditCommit({
        meta: c,
        changes: changes.get(c.commit) ?? [],
        configFiles: [],
        egovFiles: [],
        before,
        after,
        ...(hooks ? { hooks } : {}),
      });
      out.push(
        ...res.problems.filter((p) => p.file === rel || (p.record && rel.endsWith(`/${p.record}.yaml`))),
      );
    }
  } finally {
    reader.close();
  }
  return out;
}

/** The verified ref's commit, when there is one. */
export async function verifiedCommit(dir: string): Promise<string | undefined> {
  return revParse(dir, VERIFIED_REF);
}

export { canonical };
