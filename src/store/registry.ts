import { createHash } from "node:crypto";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { Calendar, type CalendarYear, validateCalendarYear } from "../core/calendar.js";
import { type CoreHooks, HOOKS, hookNames } from "../core/hooks.js";
import { formatId, isProvisionalId, parseId } from "../core/ids.js";
import type { OfficeConfig, RecordDoc } from "../core/model.js";
import { validateOffice } from "../core/office.js";
import { OfficeError, type Problem } from "../core/problems.js";
import { normalizeRecord, validateRecord } from "../core/record.js";
import { type HookNames, validateWorkflow, type WorkflowDef } from "../core/workflow.js";
import { ConfigCache, fileStamp } from "./config-cache.js";
import { fastLoad } from "./lazy.js";
import { chineseDaysLunar } from "./lunar.js";
import { type FileProblem, parseYamlText, placeProblems, readYamlFile } from "./yaml-io.js";

export const OFFICE_FILE = "office.yaml";
export const LOCAL_DIR = ".office-doc";

/**
 * Where the registry is: `--registry` > `OFFICE_DOC_REGISTRY` > the nearest folder at or above `cwd`
 * holding office.yaml > `./registry`.
 */
export function locateRegistry(flag: string | undefined, env: string | undefined, cwd: string): string {
  if (flag) return resolve(cwd, flag);
  if (env) return resolve(cwd, env);
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, OFFICE_FILE))) return d;
    if (dirname(d) === d) break;
  }
  return resolve(cwd, "registry");
}

/**
 * This user's folder for the local files of the registry at `dir` when it may not write there:
 * `<tmp>/office-doc-<uid>/<hash of the registry's real path>`, the user's folder private (0700). A
 * folder of that name that belongs to someone else is not used: a fresh one is made for this run.
 */
export function userCacheDir(dir: string): string {
  const uid = process.getuid?.() ?? userInfo().username;
  const base = join(tmpdir(), `office-doc-${uid}`);
  let real = dir;
  try {
    real = realpathSync(dir);
  } catch {
    // A folder that cannot be resolved is named as given.
  }
  try {
    mkdirSync(base, { recursive: true, mode: 0o700 });
    if (process.getuid && statSync(base).uid !== process.getuid()) throw new Error("not ours");
  } catch {
    return mkdtempSync(join(tmpdir(), "office-doc-"));
  }
  return join(base, createHash("sha256").update(real).digest("hex").slice(0, 16));
}

/**
 * The problems an error of a registry file names, each with its file and line: those it carries, or
 * itself as one (invalid YAML names its line in its message).
 */
export function problemsOf(e: OfficeError): (Problem & { file?: string; line?: number })[] {
  return e.problems.length
    ? e.problems.map((p) => ({ ...p, file: (p as { file?: string }).file ?? e.file }))
    : [{ path: [], code: e.code, params: e.params }];
}

function invalid(file: string, problems: FileProblem[]): OfficeError {
  const first = problems[0];
  return new OfficeError("failed", "store.invalid-file", { file, line: first?.line ?? 1 }, problems, file);
}

/** A registry folder: reads its configuration, workflows, calendar and records. Writes go through transact(). */
export class Registry {
  private officeCache?: OfficeConfig;
  private workflowCache = new Map<string, WorkflowDef | OfficeError>();
  private calendarCache?: Calendar;
  private calendarErrors: OfficeError[] = [];

  private cache?: ConfigCache;

  /** The names of the hooks workflows may use (validation), from `hooks`. */
  readonly hookNames: HookNames;

  /** `hooks`: the kind hooks workflows refer to (tests give their own). */
  constructor(
    readonly dir: string,
    readonly hooks: CoreHooks = HOOKS,
  ) {
    this.hookNames = hookNames(hooks);
  }

  private cached<T>(rel: string, compute: () => T, key = rel): T {
    if (!this.cache) this.cache = new ConfigCache(this.path(LOCAL_DIR, "config-cache.json"));
    if (!this.readStamps.has(rel)) this.readStamps.set(rel, fileStamp(this.path(rel)));
    return this.cache.get(key, this.path(rel), compute);
  }

  /**
   * What this command read of the office, workflows and calendar, as each file's stamp (size,
   * inode, modification time) or the folder's listing when it was first read: a write compares
   * them under the lock (configMoved), because a command reads them before it waits for the lock.
   */
  private readStamps = new Map<string, string | undefined>();

  /**
   * The first configuration file (office.yaml, a workflow, a calendar year, or the list of them)
   * this command read that another writer has changed since: a write planned on it would commit
   * due dates, routes or a whole calendar made from the old one (a lost update). Undefined when
   * nothing it read moved. Cost: one stat per file read.
   */
  configMoved(): string | undefined {
    for (const [rel, stamp] of this.readStamps) {
      const now = rel.endsWith("/") ? this.listing(rel) : fileStamp(this.path(rel));
      if (now !== stamp) return rel.endsWith("/") ? rel.slice(0, -1) : rel;
    }
    return undefined;
  }

  /** The YAML files of a configuration folder (`rel` ends with "/"), as one string. */
  private listing(rel: string): string {
    const dir = this.path(rel);
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".yaml"))
          .sort()
          .join(",")
      : "";
  }

  /** Note a folder's listing as read (see configMoved). */
  private noteListing(rel: string): string {
    const now = this.listing(rel);
    if (!this.readStamps.has(rel)) this.readStamps.set(rel, now);
    return now;
  }

  /**
   * A file of the registry (`rel` relative to its folder). Local files (`.office-doc/...`, derived and
   * git-ignored) are in localDir(), except the lock: a write needs the registry itself.
   */
  path(...rel: string[]): string {
    const p = join(this.dir, ...rel);
    const local = join(this.dir, LOCAL_DIR);
    if (!p.startsWith(local + sep) || p === join(local, "lock")) return p;
    const dir = this.localDir();
    return dir === local ? p : dir + p.slice(local.length);
  }

  private localDirCache?: string;

  /**
   * The folder of the local, derived files (index, configuration cache, backup note): `.office-doc/`
   * in the registry, unless this user may not write there (a registry on a read-only share, or
   * another clerk's folder): then a folder of this user's in the temp folder, named by a hash of the
   * registry's real path, so that listings of a registry one may only read work and stay fast
   * (issue 12). The caches are derived and tied to git's HEAD, so a second copy is harmless.
   */
  localDir(): string {
    if (this.localDirCache === undefined) {
      const local = join(this.dir, LOCAL_DIR);
      this.localDirCache = local;
      try {
        accessSync(existsSync(local) ? local : this.dir, constants.W_OK);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EACCES" || code === "EROFS" || code === "EPERM")
          this.localDirCache = userCacheDir(this.dir);
      }
    }
    return this.localDirCache;
  }

  exists(): boolean {
    return existsSync(this.path(OFFICE_FILE));
  }

  /** Fails with exit 1 when `dir` holds no registry, saying how to make one. */
  ensureExists(): void {
    if (!this.exists()) throw new OfficeError("failed", "store.no-registry", { dir: this.dir });
  }

  office(): OfficeConfig {
    if (!this.officeCache) {
      this.ensureExists();
      this.officeCache = this.cached(OFFICE_FILE, () => {
        const file = readYamlFile(this.path(OFFICE_FILE), OFFICE_FILE);
        const { value, problems } = validateOffice(file.value);
        if (!value) throw invalid(OFFICE_FILE, placeProblems(file, problems));
        return value;
      });
    }
    return this.officeCache;
  }

  /** Drop what was read, after the files changed. */
  forget(): void {
    this.officeCache = undefined;
    this.workflowCache.clear();
    this.calendarCache = undefined;
    this.readStamps.clear();
  }

  workflowKinds(): string[] {
    const names = this.noteListing("workflows/");
    return names ? names.split(",").map((f) => f.slice(0, -5)) : [];
  }

  /** The workflow of `kind`; a broken workflow file fails only the commands that need it. */
  workflow(kind: string): WorkflowDef {
    let w = this.workflowCache.get(kind);
    if (w === undefined) {
      const rel = `workflows/${kind}.yaml`;
      if (!existsSync(this.path(rel)))
        w = new OfficeError("failed", "store.unknown-kind", { kind, known: this.workflowKinds().join(", ") });
      else {
        try {
          const roles = this.office().roles.map((r) => r.id);
          const hooks = this.hookNames;
          // Validity depends on the office's roles and the hooks too: they are part of the cache key.
          w = this.cached(
            rel,
            () => {
              const file = readYamlFile(this.path(rel), rel);
              const { value, problems } = validateWorkflow(file.value, kind, roles, hooks);
              if (!value) throw invalid(rel, placeProblems(file, problems));
              return value;
            },
            `${rel}|${roles.join(",")}|${hooks.guards.join(",")}|${hooks.forms.join(",")}`,
          );
        } catch (e) {
          if (!(e instanceof OfficeError)) throw e;
          w = e;
        }
      }
      this.workflowCache.set(kind, w);
    }
    if (w instanceof OfficeError) throw w;
    return w;
  }

  /** Every workflow that loads; broken ones are skipped (check reports them). */
  workflows(): WorkflowDef[] {
    const out: WorkflowDef[] = [];
    for (const k of this.workflowKinds()) {
      try {
        out.push(this.workflow(k));
      } catch (e) {
        if (!(e instanceof OfficeError)) throw e;
      }
    }
    return out;
  }

  /**
   * The workflow files there are but that cannot be read (not YAML, or not a valid workflow), each
   * with its error (file and line): every command that reads the workflows names them, never
   * drops their kind silently.
   */
  brokenWorkflows(): { kind: string; error: OfficeError }[] {
    const out: { kind: string; error: OfficeError }[] = [];
    for (const kind of this.workflowKinds()) {
      try {
        this.workflow(kind);
      } catch (e) {
        if (!(e instanceof OfficeError)) throw e;
        out.push({ kind, error: e });
      }
    }
    return out;
  }

  kindOfPrefix(prefix: string): string | undefined {
    return this.workflows().find((w) => w.prefix === prefix)?.kind;
  }

  calendarYears(): number[] {
    const names = this.noteListing("calendar/");
    return (names ? names.split(",") : [])
      .filter((f) => /^\d{4}\.yaml$/.test(f))
      .map((f) => Number(f.slice(0, 4)))
      .sort((a, b) => a - b);
  }

  readCalendarYear(year: number): CalendarYear {
    const rel = `calendar/${year}.yaml`;
    return this.cached(rel, () => {
      const file = readYamlFile(this.path(rel), rel);
      const { value, problems } = validateCalendarYear(file.value, year);
      if (!value || problems.length) throw invalid(rel, placeProblems(file, problems));
      return value;
    });
  }

  /**
   * The working-day calendar: the published years of calendar/, and the provisional statutory
   * calendar for the others (dated with chinese-days' lunar table). A broken year file fails every
   * deadline computation, naming the file.
   */
  calendar(): Calendar {
    if (!this.calendarCache) {
      const years: CalendarYear[] = [];
      this.calendarErrors = [];
      for (const y of this.calendarYears()) {
        try {
          years.push(this.readCalendarYear(y));
        } catch (e) {
          if (!(e instanceof OfficeError)) throw e;
          this.calendarErrors.push(e);
        }
      }
      if (this.calendarErrors[0]) throw this.calendarErrors[0];
      this.calendarCache = new Calendar(years, chineseDaysLunar);
    }
    return this.calendarCache;
  }

  /** The canonical id and the relative path of a record, from what a clerk typed. */
  resolveId(text: string, currentYear: number): { id: string; kind: string; rel: string } {
    const parsed = parseId(text, currentYear);
    if (!parsed) throw new OfficeError("usage", "store.bad-id", { id: text });
    const kind = this.kindOfPrefix(parsed.prefix);
    if (!kind) {
      // The prefix may be that of a workflow whose file is broken: name the file (exit 1).
      const broken = this.brokenWorkflows();
      if (broken.length)
        throw new OfficeError(
          "failed",
          "store.prefix-workflow-broken",
          {
            id: text,
            prefix: parsed.prefix,
            files: broken.map((b) => `workflows/${b.kind}.yaml`).join(", "),
          },
          broken.flatMap((b) => problemsOf(b.error)),
        );
      throw new OfficeError("usage", "store.unknown-prefix", { id: text, prefix: parsed.prefix });
    }
    const id = formatId(parsed);
    return { id, kind, rel: recordRel(kind, id) };
  }

  /**
   * Read and validate one record. js-yaml parses it (several times faster than yaml); only a file
   * with a problem is parsed again with yaml, to name the line. A broken file fails with its name.
   * `text`: the file's text when the caller read it elsewhere (as last committed: committed.ts).
   */
  readRecord(rel: string, id: string, kind: string, text = this.readText(rel)): { record: RecordDoc } {
    if (text === undefined) {
      // A provisional id renamed by sync (issue 17): say what it is now.
      const now = isProvisionalId(id) ? renamedIds(this)[id] : undefined;
      if (now) throw new OfficeError("refused", "share.renamed", { id, now });
      throw new OfficeError("refused", "store.no-record", { id });
    }
    const wf = this.workflow(kind);
    let raw: unknown;
    try {
      raw = fastLoad(text);
    } catch {
      raw = undefined;
    }
    if (raw === undefined || validateRecord(raw, wf, this.office(), id).some((p) => !p.warning)) {
      const file = parseYamlText(text, rel);
      const problems = validateRecord(file.value, wf, this.office(), id).filter((p) => !p.warning);
      if (problems.length) throw invalid(rel, placeProblems(file, problems));
      raw = file.value;
    }
    return { record: normalizeRecord(raw as Record<string, unknown>) };
  }

  readText(rel: string): string | undefined {
    try {
      return readFileSync(this.path(rel), "utf8");
    } catch {
      return undefined;
    }
  }
}

/**
 * `records/<kind>/<year>/<NN>/<ID>.yaml`, NN being the id's number without its last two digits
 * (IN-2026-1234 -> records/incoming/2026/12/). A record's file never moves once created. The leaf
 * folders hold at most 100 files: a commit rewrites every folder on its path, and a year folder of
 * 20,000 files made each commit cost a 1 MB tree object and ~300 ms of `git write-tree`.
 */
export function recordRel(kind: string, id: string): string {
  const [, year = "0000", seq = ""] = id.split("-");
  return `records/${kind}/${year}/${recordBucket(seq)}/${id}.yaml`;
}

function recordBucket(seq: string): string {
  return seq.length > 2 ? seq.slice(0, -2) : "00";
}

// The bucket of a provisional id (IN-2026-L0003) is `L00`: such records stay apart until sync.
const RECORD_FILE_RE = /^records\/([a-z0-9-]+)\/(\d{4})\/(L?\d+)\/([A-Z]{2,6}-\d{4}-L?\d+)\.yaml$/;

/** The parts of a record file's path, or undefined for a path that is not one. */
export function parseRecordRel(rel: string): { kind: string; year: string; id: string } | undefined {
  const m = RECORD_FILE_RE.exec(rel);
  if (!m) return undefined;
  return { kind: m[1] as string, year: m[2] as string, id: m[4] as string };
}

/** Where this clone keeps the provisional ids sync renamed (derived: `.office-doc/renamed.json`). */
export const RENAMED_FILE = "renamed.json";

/**
 * The provisional ids `sync` renamed in this clone: old id -> final id (issue 17). Kept so that
 * `show IN-2026-L0003` says what the record is called now; empty when unknown.
 */
export function renamedIds(reg: Pick<Registry, "path">): Record<string, string> {
  try {
    const v = JSON.parse(readFileSync(reg.path(LOCAL_DIR, RENAMED_FILE), "utf8")) as unknown;
    return typeof v === "object" && v !== null ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The record files of `kind` whose ids are of `year` (`records/<kind>/<year>/<NN>/*.yaml`), in id
 * order: what a register or a kind's report of a year reads, one folder tree.
 */
export function recordFilesOf(reg: Pick<Registry, "path">, kind: string, year: number | string): string[] {
  const yearDir = `records/${kind}/${year}`;
  return (existsSync(reg.path(yearDir)) ? readdirSync(reg.path(yearDir)) : [])
    .flatMap((bucket) => {
      const dir = reg.path(yearDir, bucket);
      return statSync(dir).isDirectory()
        ? readdirSync(dir)
            .filter((f) => f.endsWith(".yaml"))
            .map((f) => `${yearDir}/${bucket}/${f}`)
        : [];
    })
    .filter((rel) => parseRecordRel(rel))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/**
 * Record files read for a listing, as written (no validation against the workflow: a register shows
 * what is there); a file that is not YAML is named with its line (exit 1), never skipped.
 */
export function readRecordFiles(reg: Pick<Registry, "readText">, rels: readonly string[]): RecordDoc[] {
  return rels.map((rel) => {
    const text = reg.readText(rel) ?? "";
    try {
      return normalizeRecord(fastLoad(text) as Record<string, unknown>);
    } catch (e) {
      // A registry file broken by hand is the registry's problem, not the command line's: exit 1.
      throw new OfficeError("failed", "store.bad-yaml", {
        file: rel,
        line: (e as { mark?: { line: number } }).mark?.line ?? 1,
        message: (e as Error).message.split("\n")[0] ?? "",
      });
    }
  });
}
