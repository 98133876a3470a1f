import { appendFileSync, existsSync, readFileSync, statSync, truncateSync } from "node:fs";
import { dirname, join } from "node:path";
import { type IsoDate, isIsoDate } from "../core/dates.js";
import type { ListedSummary, RecordSummary } from "../core/model.js";
import { OfficeError } from "../core/problems.js";
import { normalizeRecord, summarize } from "../core/record.js";
import { fieldByRole, type WorkflowDef } from "../core/workflow.js";
import { maximaOf } from "./allocate.js";
import { writeFileAtomic } from "./atomic.js";
import { uncommittedRecordFiles } from "./edits.js";
import { gitFailure } from "./failures.js";
import { assertRepository, changedFiles, headCommit, isAncestor, trackedFiles } from "./git.js";
import { childProcess, fastLoad, nodeOs, nodeWorkers, nodeZlib } from "./lazy.js";
import { tryLock } from "./lock.js";
import { packageRoot } from "./paths.js";
import { LOCAL_DIR, parseRecordRel, type Registry, recordRel } from "./registry.js";

/**
 * Derived summaries of every record, for list and report commands: open records in one JSON file
 * (a few thousand, loaded by every listing) plus a journal of the writes since, closed ones appended
 * to a JSON-lines file (loaded only when asked for). Tied to git HEAD and brought up to date from
 * `git diff --name-only` when HEAD moved; rebuilt when missing or when a file does not validate.
 * Never the source of truth: delete `.office-doc/` and it comes back.
 *
 * Validation: the open file's first line carries its own CRC-32 and the byte lengths and CRC-32s of
 * the other two; each journal line carries its CRC-32; the closed file's valid length and CRC-32 are
 * in the open file's head and in each journal line after it (bytes past that length were appended
 * by a write that did not finish and are ignored). Only a holder of the registry lock changes these
 * files (a listing that brought the index up to date saves it only if it gets the lock at once and
 * nobody saved meanwhile), so no two processes append at the same time.
 */

const VERSION = 7;
/** The index is checked when read and rebuilt when lost: no fsync (see writeFileAtomic). */
const DERIVED = { durable: false };
const OPEN_FILE = `${LOCAL_DIR}/index-open.json`;
const JOURNAL_FILE = `${LOCAL_DIR}/index-journal.jsonl`;
const CLOSED_FILE = `${LOCAL_DIR}/index-closed.jsonl`;
/** Past this size the journal is folded into the open file (which costs ~50 ms at 5,000 open). */
const JOURNAL_LIMIT = 256 * 1024;

/**
 * One write, appended to the journal: rewriting the whole open file on every write cost more than
 * the rest of the command. A line applies only to the head it names as `from`, so a torn last line
 * or lines left from before the open file was rewritten are skipped, and git's diff does the rest.
 */
interface JournalLine {
  from: string;
  head: string;
  put: (RecordSummary | { id: string; deleted: true })[];
  /** The closed file's valid length and CRC-32 after this write's closed summaries. */
  closed: [number, number];
}

/** CRC-32 (zlib's), continuing from `prev`. */
function crc(data: string | Buffer, prev = 0): number {
  return nodeZlib().crc32(data, prev);
}

/** `<crc32 hex> <text>`: a line that can be checked on its own. */
function sealLine(text: string): string {
  return `${crc(text).toString(16)} ${text}`;
}

/**
 * The text of a sealed line; undefined when it has no seal, or (with `verify`) when its CRC-32 does
 * not match.
 */
function unsealLine(line: string, verify: boolean): string | undefined {
  const sp = line.indexOf(" ");
  if (sp < 1) return undefined;
  const text = line.slice(sp + 1);
  return !verify || line.slice(0, sp) === crc(text).toString(16) ? text : undefined;
}

/**
 * The open file's first line. The second holds the open summaries' listed part (ListedSummary) as
 * arrays in the order of LISTED_KEYS, the third the rest of each (REST_KEYS), row for row: JSON.parse
 * takes half the time of objects, and the overdue list and the tables of `list` parse only the
 * second line. Both are parsed only by a command that needs them: a sign needs the head and the
 * numbers, not 2 MB of summaries.
 */
interface OpenFileHead {
  version: number;
  head: string;
  /** Highest sequence numbers: `id:IN-2026` -> 42, `archive:<series>` -> 7. */
  maxima: Record<string, number>;
  /** Record files that could not be read, with the reason: named by every listing. */
  broken: Record<string, string>;
  /**
   * Record files that were read but hold a value office-doc cannot act on (`status: bogus`, an
   * impossible due date, an unknown step or holder), with what it is: listed as they are, and named
   * by every listing (summaryProblem).
   */
  invalid: Record<string, string>;
  /**
   * The rows are sorted by due date (none last): for each due date, the byte offset in the second
   * line just after its last row. The overdue list parses only the rows up to its horizon.
   */
  dues: [IsoDate, number][];
  /**
   * The byte lengths of the second and third lines: a file cut or edited by hand (whose lines would
   * otherwise fail only when a command parses them) is rebuilt instead.
   */
  bytes: [number, number];
  /** CRC-32 of the second and third lines. */
  crcs: [number, number];
  /** The closed file's valid length and CRC-32. */
  closed: [number, number];
  /**
   * The leaf folders holding open records: a listing compares their modification times with the
   * index's to notice files changed by hand and not committed (see uncommittedEdits).
   */
  folders: string[];
}

function isPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((n) => Number.isSafeInteger(n) && n >= 0);
}

/**
 * Is this a head line office-doc wrote? Every field of the right type; with `deep` (a write, which
 * allocates numbers from `maxima`), every value inside too.
 */
function validHead(h: OpenFileHead, deep: boolean): boolean {
  const ok =
    typeof h === "object" &&
    h !== null &&
    h.version === VERSION &&
    typeof h.head === "string" &&
    typeof h.maxima === "object" &&
    h.maxima !== null &&
    typeof h.broken === "object" &&
    h.broken !== null &&
    typeof h.invalid === "object" &&
    h.invalid !== null &&
    Array.isArray(h.dues) &&
    isPair(h.bytes) &&
    isPair(h.crcs) &&
    isPair(h.closed) &&
    Array.isArray(h.folders);
  return (
    ok &&
    (!deep ||
      (Object.values(h.maxima).every((n) => Number.isSafeInteger(n)) &&
        Object.values(h.broken).every((m) => typeof m === "string") &&
        Object.values(h.invalid).every((m) => typeof m === "string") &&
        h.folders.every((f) => typeof f === "string")))
  );
}

/** Is this a journal line office-doc wrote? */
function validJournalLine(l: JournalLine): boolean {
  return (
    typeof l === "object" &&
    l !== null &&
    typeof l.from === "string" &&
    typeof l.head === "string" &&
    Array.isArray(l.put) &&
    l.put.every((s) => typeof s === "object" && s !== null && typeof s.id === "string") &&
    isPair(l.closed)
  );
}

interface Rows {
  /** The listed part of the open summaries, only those due by `limit` when it is given. */
  listed(limit?: IsoDate): Map<string, ListedSummary>;
  /** The whole open summaries. */
  full(): Map<string, RecordSummary>;
}

/** The keys of ListedSummary, in the order of the open file's second line (a missing one fails tsc). */
const LISTED_KEY_SET = {
  id: 0,
  kind: 0,
  title: 0,
  status: 0,
  step: 0,
  holders: 0,
  due: 0,
  unit: 0,
  classification: 0,
  urgency: 0,
} satisfies Record<keyof ListedSummary, 0>;
/** The other keys of RecordSummary, in the order of the third line. */
const REST_KEY_SET = {
  created: 0,
  updated: 0,
  on_time: 0,
  archive: 0,
  closed: 0,
  extra: 0,
} satisfies Record<Exclude<keyof RecordSummary, keyof ListedSummary>, 0>;
const LISTED_KEYS = Object.keys(LISTED_KEY_SET) as (keyof ListedSummary)[];
const REST_KEYS = Object.keys(REST_KEY_SET) as (keyof typeof REST_KEY_SET)[];

/** A summary as its two rows of the open file, each without its trailing absent keys. */
export function packSummary(s: RecordSummary): [unknown[], unknown[]] {
  const cut = (row: unknown[]) => {
    while (row.length && row[row.length - 1] === null) row.pop();
    return row;
  };
  return [cut(LISTED_KEYS.map((k) => s[k] ?? null)), cut(REST_KEYS.map((k) => s[k] ?? null))];
}

const NO_REST: unknown[] = [];

/** The listed part of a summary from its row of the open file's second line. */
export function unpackListed(row: unknown[]): ListedSummary {
  return unpackSummary(row, NO_REST);
}

/**
 * A whole summary from its two rows; with NO_REST, its listed part (the other keys undefined, so
 * that every summary has one hidden class and JSON output leaves them out all the same).
 */
export function unpackSummary(listed: unknown[], rest: unknown[]): RecordSummary {
  // One object literal (one hidden class for all 5,000) costs a quarter of adding keys one by one.
  const r = listed as [
    string,
    string,
    string,
    RecordSummary["status"],
    string | null,
    string[],
    ...unknown[],
  ];
  const x = rest as [string, string, ...unknown[]];
  return {
    id: r[0],
    kind: r[1],
    title: r[2],
    status: r[3],
    step: r[4] ?? null,
    holders: r[5],
    due: (r[6] ?? null) as IsoDate | null,
    created: x[0],
    updated: x[1],
    // In summarize's key order, so that JSON output does not depend on where a summary came from.
    unit: (r[7] ?? undefined) as string | undefined,
    classification: (r[8] ?? undefined) as string | undefined,
    urgency: (r[9] ?? undefined) as string | undefined,
    archive: (x[3] ?? undefined) as string | undefined,
    closed: (x[4] ?? undefined) as string | undefined,
    on_time: (x[2] ?? undefined) as boolean | undefined,
    extra: (x[5] ?? undefined) as Record<string, string> | undefined,
  } as RecordSummary;
}

let buildProgress: ((done: number, total: number) => void) | undefined;

/** What one record file says for the index (`invalid`: see summaryProblem). */
export type SummaryResult =
  | { id: string; summary: RecordSummary; invalid?: string }
  | { id: string; broken: string }
  | { id: string; missing: true }
  | undefined;

/** Read one record file (relative path) for the index; undefined for a path that is not a record's. */
export function readSummary(reg: Registry, rel: string): SummaryResult {
  const id = parseRecordRel(rel)?.id;
  if (!id) return undefined;
  const text = reg.readText(rel);
  if (text === undefined) return { id, missing: true };
  try {
    const raw = fastLoad(text) as Record<string, unknown>;
    if (typeof raw !== "object" || raw === null || raw.id !== id) throw new Error(`id is not ${id}`);
    const rec = normalizeRecord(raw);
    let wf: ReturnType<Registry["workflow"]> | undefined;
    try {
      wf = reg.workflow(rec.kind);
    } catch {
      wf = undefined;
    }
    const summary = summarize(rec, wf);
    const invalid = summaryProblem(reg, summary, wf);
    // A record office-doc cannot tell is closed is still to be handled: it stays on the open lists
    // and in `overdue --check`, named as invalid, rather than vanishing from every listing.
    if (invalid && summary.status !== "closed") summary.status = "open";
    return invalid ? { id, summary, invalid } : { id, summary };
  } catch (e) {
    return { id, broken: ((e as Error).message.split("\n")[0] ?? "").slice(0, 200) };
  }
}

/** The ids of the office's people and units, by office object (read once per run). */
const officeIds = new WeakMap<object, Set<string>>();

/**
 * What in a record's summary office-doc cannot act on, as `key: value` (language-neutral, for the
 * listings' warning), or undefined: a status other than open or closed, an impossible due date, a
 * step its workflow does not have, a holder who is neither a person nor a unit of office.yaml.
 * `check` says the same with file and line (validateRecord); this looks only at what the summary
 * holds, a few set lookups a record, so that building the index at 200,000 records costs no more
 * than the parse it already does. A broken office.yaml leaves holders unchecked (it stops the
 * command itself).
 */
function summaryProblem(reg: Registry, s: RecordSummary, wf: WorkflowDef | undefined): string | undefined {
  if (s.status !== "open" && s.status !== "closed") return `status: ${String(s.status)}`;
  if (s.due !== null && (typeof s.due !== "string" || !isIsoDate(s.due))) return `due: ${String(s.due)}`;
  if (wf && s.step !== null && !wf.steps.some((x) => x.id === s.step)) return `step: ${String(s.step)}`;
  let ids: Set<string> | undefined;
  try {
    const office = reg.office();
    ids = officeIds.get(office);
    if (!ids) {
      ids = new Set([...office.people.map((p) => p.id), ...office.units.map((u) => u.id)]);
      officeIds.set(office, ids);
    }
  } catch {
    return undefined;
  }
  const unknown = s.holders.find((h) => !ids.has(h));
  return unknown === undefined ? undefined : `holders: ${String(unknown)}`;
}

/**
 * Read the files in worker threads (dist/index-worker.cjs), when built and when there are at least
 * OFFICE_DOC_INDEX_THREADS_MIN files (20,000); undefined otherwise. Results come in file order.
 */
async function summariesInWorkers(
  reg: Registry,
  files: string[],
  progress: (done: number) => void,
): Promise<{ rel: string; result: SummaryResult }[] | undefined> {
  const min = Number(process.env.OFFICE_DOC_INDEX_THREADS_MIN ?? 20_000);
  const script = join(packageRoot(), "dist", "index-worker.cjs");
  if (!(files.length >= min) || !existsSync(script)) return undefined;
  const { Worker } = nodeWorkers();
  const threads = Math.max(1, Math.min(4, nodeOs().availableParallelism()));
  const size = Math.ceil(files.length / threads);
  const done = new Array<number>(threads).fill(0);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, k) => {
      const rels = files.slice(k * size, (k + 1) * size);
      return new Promise<SummaryResult[]>((resolve, reject) => {
        const w = new Worker(script, { workerData: { dir: reg.dir, rels } });
        w.on("message", (m: { done?: number; results?: SummaryResult[] }) => {
          if (m.results) resolve(m.results);
          else if (m.done !== undefined) {
            done[k] = m.done;
            progress(done.reduce((a, b) => a + b, 0));
          }
        });
        w.on("error", reject);
        w.on("exit", (code) => {
          if (code !== 0) reject(new Error(`index worker stopped with exit code ${code}`));
        });
      });
    }),
  );
  return parts.flatMap((results, k) =>
    results.map((result, i) => ({ rel: files[k * size + i] as string, result })),
  );
}

/** Be told how a full rebuild of the index goes (only large ones report). */
export function onIndexBuild(report: (done: number, total: number) => void): void {
  buildProgress = report;
}

/** Paths of tracked files below `under`, synchronously (see rebuildNow). */
function trackedFilesSync(dir: string, under: string): string[] {
  const r = childProcess().spawnSync("git", ["ls-files", "-z", "--", under], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
  });
  if (r.status !== 0)
    throw gitFailure(dir, "git ls-files", { code: r.status ?? 1, signal: r.signal, stderr: r.stderr });
  return r.stdout.split("\0").filter(Boolean);
}

/** Where the index stands on disk: a reader saves only if nobody changed it since it looked. */
function diskSignature(reg: Registry): string {
  return [OPEN_FILE, JOURNAL_FILE, CLOSED_FILE]
    .map((f) => {
      try {
        const st = statSync(reg.path(f));
        return `${st.size}:${st.mtimeMs}:${st.ino}`;
      } catch {
        return "-";
      }
    })
    .join("|");
}

/** The leaf folder of a record's file (records/<kind>/<year>/<NN>). */
const folderOf = (s: { kind: string; id: string }) => dirname(recordRel(s.kind, s.id));

export interface LoadOptions {
  /** The caller holds the registry lock (a write): the index may be saved at any time. */
  locked?: boolean;
}

export class RecordIndex {
  private closed?: Map<string, RecordSummary>;

  private openMap?: Map<string, RecordSummary>;
  /** Journal entries read before the open summaries were: applied when they are. */
  private pending: JournalLine["put"] = [];
  /** The closed file's valid length and CRC-32 (what its head and journal say). */
  private closedState: { bytes: number; crc: number } = { bytes: 0, crc: 0 };
  /** Closed summaries not yet appended to the closed file (appended under the lock). */
  private pendingClosed: string[] = [];
  /** Leaf folders of open records as of the last save, and those written since. */
  private folders = new Set<string>();
  private locked = false;
  /** diskSignature when loaded. */
  private seen = "";
  private edits?: string[];

  private constructor(
    private readonly reg: Registry,
    public head: string,
    private openRows: Rows | undefined,
    readonly maxima: Record<string, number>,
    readonly broken: Record<string, string>,
    readonly invalid: Record<string, string>,
  ) {}

  /** The open records' summaries by id (read from disk on first use). */
  get open(): Map<string, RecordSummary> {
    if (!this.openMap) {
      const m = this.openRows ? this.openRows.full() : new Map<string, RecordSummary>();
      for (const s of this.pending) putOpen(m, s);
      this.openMap = m;
      this.pending = [];
      this.openRows = undefined;
    }
    return this.openMap;
  }

  /**
   * The listed part of the open records' summaries (what tables show and filter on), read without
   * the rest when they are still on disk; only those due on or before `limit` when it is given (a
   * superset of any overdue list up to that horizon).
   */
  openListed(limit?: IsoDate): ListedSummary[] {
    const keep = (s: ListedSummary) => limit === undefined || (s.due !== null && s.due <= limit);
    if (this.openMap || !this.openRows) return [...this.open.values()].filter(keep);
    const m = this.openRows.listed(limit);
    for (const s of this.pending) putOpen(m, s);
    return [...m.values()].filter(keep);
  }

  /** Apply a summary to the open map, or keep it for when that map is read. */
  private putOpen(s: RecordSummary | { id: string; deleted: true }): void {
    if (this.openMap) putOpen(this.openMap, s);
    else this.pending.push(s);
  }

  /**
   * The index as of the registry's HEAD, updated or rebuilt as needed (and saved when it changed;
   * without `locked`, only if the registry lock is free). Refuses a registry folder that is not the
   * top of its own git repository (store.not-a-repository, store.nested-repository).
   */
  static async load(reg: Registry, opts: LoadOptions = {}): Promise<RecordIndex> {
    assertRepository(reg.dir, false);
    const head = (await headCommit(reg.dir)) ?? "";
    const seen = diskSignature(reg);
    const saved = readOpenFile(reg, !!opts.locked);
    if (saved) {
      const idx = new RecordIndex(
        reg,
        saved.head.head,
        saved.rows,
        saved.head.maxima,
        saved.head.broken,
        saved.head.invalid,
      );
      idx.locked = !!opts.locked;
      idx.seen = seen;
      idx.closedState = { bytes: saved.head.closed[0], crc: saved.head.closed[1] };
      for (const f of saved.head.folders) idx.folders.add(f);
      idx.journalBytes = idx.replayJournal();
      if (idx.closedLength() >= idx.closedState.bytes) {
        if (idx.head === head) return idx;
        if (idx.head) {
          const changed = await changedFiles(reg.dir, idx.head, head, "records");
          if (changed) {
            idx.refreshFiles(changed);
            // HEAD went back or sideways (`git reset`, a rebase): numbers of records that are gone
            // must be free again, or the next 文号 would leave a gap. Forward moves only add.
            if (!(await isAncestor(reg.dir, idx.head, head))) idx.recountMaxima();
            idx.persist(head);
            return idx;
          }
        }
      }
    }
    return RecordIndex.rebuild(reg, head, opts);
  }

  /** The closed file's length on disk (0 when it is missing). */
  private closedLength(): number {
    try {
      return statSync(this.reg.path(CLOSED_FILE)).size;
    } catch {
      return 0;
    }
  }

  private journalBytes = 0;
  /** Summaries written by this process since the load, for the journal. */
  private written: JournalLine["put"] = [];

  /** Apply the journal's lines that follow on from the open file's head; returns the journal's size. */
  private replayJournal(): number {
    let text: string;
    try {
      text = readFileSync(this.reg.path(JOURNAL_FILE), "utf8");
    } catch {
      return 0;
    }
    for (const raw of text.split("\n")) {
      if (!raw) continue;
      let line: JournalLine;
      try {
        const body = unsealLine(raw, this.locked);
        if (body === undefined) break;
        line = JSON.parse(body) as JournalLine;
        if (!validJournalLine(line)) break;
      } catch {
        break;
      }
      if (line.from !== this.head) continue;
      for (const s of line.put) {
        if (!("deleted" in s)) {
          this.note(s);
          if (s.status === "open") this.folders.add(folderOf(s));
        }
        this.putOpen(s);
      }
      this.closedState = { bytes: line.closed[0], crc: line.closed[1] };
      this.head = line.head;
    }
    return text.length;
  }

  static async rebuild(reg: Registry, head: string, opts: LoadOptions = {}): Promise<RecordIndex> {
    const idx = new RecordIndex(reg, head, undefined, {}, {}, {});
    idx.locked = !!opts.locked;
    idx.seen = diskSignature(reg);
    const files = head ? await trackedFiles(reg.dir, "records") : [];
    idx.closed = new Map();
    // Every record is parsed once (~50 s at 200,000 records): in worker threads when there are many,
    // saying how far it got.
    const step = 5000;
    const threaded = await summariesInWorkers(reg, files, (done) => buildProgress?.(done, files.length));
    if (threaded) idx.applyResults(threaded, true);
    else
      for (let i = 0; i < files.length; i += step) {
        if (files.length > step) buildProgress?.(i, files.length);
        idx.refreshFiles(files.slice(i, i + step), true);
      }
    if (files.length > step) buildProgress?.(files.length, files.length);
    idx.persist(head, true);
    return idx;
  }

  /** Re-read these record files (relative paths) into the index. */
  refreshFiles(rels: string[], fresh = false): void {
    this.applyResults(
      rels.map((rel) => ({ rel, result: readSummary(this.reg, rel) })),
      fresh,
    );
  }

  /** Put what readSummary found for these files into the index. */
  private applyResults(results: { rel: string; result: SummaryResult }[], fresh: boolean): void {
    for (const { rel, result } of results) {
      if (!result) continue;
      const id = result.id;
      delete this.broken[rel];
      delete this.invalid[rel];
      if ("missing" in result) {
        this.open.delete(id);
        if (!fresh) {
          this.pendingClosed.push(JSON.stringify({ id, deleted: true }));
          this.closed?.delete(id);
        }
        continue;
      }
      if ("broken" in result) {
        this.broken[rel] = result.broken;
        this.open.delete(id);
        continue;
      }
      const summary = result.summary;
      if (result.invalid) this.invalid[rel] = result.invalid;
      this.note(summary);
      if (summary.status === "open") {
        this.open.set(id, summary);
        this.folders.add(folderOf(summary));
      } else {
        this.open.delete(id);
        this.closed?.set(id, summary);
        if (!fresh) this.pendingClosed.push(JSON.stringify(summary));
      }
    }
  }

  /** Put a summary just written by this process into the index. */
  apply(s: RecordSummary): void {
    this.written.push(s);
    this.note(s);
    this.putOpen(s);
    if (s.status === "open") this.folders.add(folderOf(s));
    else {
      this.pendingClosed.push(JSON.stringify(s));
      this.closed?.set(s.id, s);
    }
  }

  /**
   * Count the numbers of a summary this write has put and not yet committed (see Transaction), so
   * that the next number allocated in the same write is past it: the files are written into the
   * work tree only once the commit exists, where the allocator would otherwise have seen them.
   */
  reserve(s: RecordSummary): void {
    this.note(s);
  }

  private note(s: RecordSummary): void {
    for (const [k, v] of maximaOf(s, this.docNumberField(s.kind)))
      if ((this.maxima[k] ?? 0) < v) this.maxima[k] = v;
  }

  private docNumberFields = new Map<string, string | undefined>();
  /** The field of `kind` whose values are document numbers (its doc-number role). */
  private docNumberField(kind: string): string | undefined {
    if (!this.docNumberFields.has(kind)) {
      let field: string | undefined;
      try {
        field = fieldByRole(this.reg.workflow(kind), "doc-number")?.id;
      } catch {
        field = undefined;
      }
      this.docNumberFields.set(kind, field);
    }
    return this.docNumberFields.get(kind);
  }

  /** Count the highest numbers again from every record (reads the closed summaries). */
  recountMaxima(): void {
    const all = this.all();
    for (const k of Object.keys(this.maxima)) delete this.maxima[k];
    for (const s of all) this.note(s);
  }

  /** Next free sequence number for a key of `maxima` (`id:IN-2026`); see allocate.ts. */
  next(key: string): number {
    return (this.maxima[key] ?? 0) + 1;
  }

  /**
   * Every record's summary, open and closed (loads the closed file: its valid part must match its
   * length and CRC-32, every line must be a summary; otherwise the index is rebuilt from git).
   */
  all(): RecordSummary[] {
    if (!this.closed && !this.readClosed()) this.rebuildNow();
    const out = new Map(this.closed);
    for (const [id, s] of this.open) out.set(id, s);
    return [...out.values()].filter((s) => s.status === "closed" || this.open.has(s.id));
  }

  /**
   * The summaries, open and closed, whose index line holds one of `needles` (a number's series,
   * written as it is in the summary): the closed lines that hold none are not parsed. A line is the
   * latest state of its record, so a later line without the needle drops an earlier one. `verify`
   * of one day's commits needs the numbers of a few series at HEAD: parsing every closed summary cost
   * it ~1.5 s of its 2.6 s at 200,000 records. Falls back to all() when the file does not validate.
   */
  mentioning(needles: readonly string[]): RecordSummary[] {
    const has = (line: string) => needles.some((n) => line.includes(n));
    const everything = () => this.all().filter((s) => has(JSON.stringify(s)));
    if (this.closed) return everything();
    let buf: Buffer;
    try {
      buf = readFileSync(this.reg.path(CLOSED_FILE));
    } catch {
      return everything();
    }
    const { bytes, crc: sum } = this.closedState;
    if (buf.length < bytes || crc(buf.subarray(0, bytes)) !== sum) return everything();
    const found = new Map<string, RecordSummary>();
    const lines = buf.toString("utf8", 0, bytes).split("\n");
    for (const line of [...lines, ...this.pendingClosed]) {
      if (!line) continue;
      const id = /"id":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
      if (id === undefined) continue;
      if (!has(line)) {
        found.delete(id);
        continue;
      }
      const s = JSON.parse(line) as RecordSummary & { deleted?: boolean };
      if (s.deleted) found.delete(s.id);
      else found.set(s.id, s);
    }
    for (const id of this.open.keys()) found.delete(id);
    for (const s of this.open.values()) if (has(JSON.stringify(s))) found.set(s.id, s);
    return [...found.values()];
  }

  /** Read the closed file's valid part, then the lines this process has not appended yet. */
  private readClosed(): boolean {
    let buf: Buffer;
    try {
      buf = readFileSync(this.reg.path(CLOSED_FILE));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return false;
      buf = Buffer.alloc(0);
    }
    const { bytes, crc: sum } = this.closedState;
    if (buf.length < bytes || crc(buf.subarray(0, bytes)) !== sum) return false;
    const closed = new Map<string, RecordSummary>();
    const lines = buf.toString("utf8", 0, bytes).split("\n");
    for (const line of [...lines, ...this.pendingClosed]) {
      if (!line) continue;
      let s: RecordSummary & { deleted?: boolean };
      try {
        s = JSON.parse(line) as RecordSummary & { deleted?: boolean };
      } catch {
        return false;
      }
      if (typeof s !== "object" || s === null || typeof s.id !== "string") return false;
      if (s.deleted) closed.delete(s.id);
      else closed.set(s.id, s);
    }
    this.closed = closed;
    return true;
  }

  /**
   * Rebuild from git here and now (the closed file did not validate when a listing of all records
   * came to read it): synchronously, in one thread, so that all() keeps its shape for its callers.
   * Rare, and slow at 200,000 records (~50 s); a rebuild from load() uses worker threads.
   */
  private rebuildNow(): void {
    const fresh = new RecordIndex(this.reg, this.head, undefined, {}, {}, {});
    fresh.locked = this.locked;
    fresh.seen = diskSignature(this.reg);
    fresh.closed = new Map();
    const files = this.head ? trackedFilesSync(this.reg.dir, "records") : [];
    const step = 5000;
    for (let i = 0; i < files.length; i += step) {
      if (files.length > step) buildProgress?.(i, files.length);
      fresh.refreshFiles(files.slice(i, i + step), true);
    }
    if (files.length > step) buildProgress?.(files.length, files.length);
    fresh.persist(this.head, true);
    this.adopt(fresh);
  }

  /** Take over what a rebuild found (this index did not validate). */
  private adopt(fresh: RecordIndex): void {
    this.head = fresh.head;
    this.closed = fresh.closed;
    this.openMap = fresh.open;
    this.openRows = undefined;
    this.pending = [];
    this.pendingClosed = [];
    this.closedState = fresh.closedState;
    this.folders = fresh.folders;
    this.journalBytes = fresh.journalBytes;
    this.seen = fresh.seen;
    for (const k of Object.keys(this.maxima)) delete this.maxima[k];
    Object.assign(this.maxima, fresh.maxima);
    for (const k of Object.keys(this.broken)) delete this.broken[k];
    Object.assign(this.broken, fresh.broken);
    for (const k of Object.keys(this.invalid)) delete this.invalid[k];
    Object.assign(this.invalid, fresh.invalid);
  }

  /** Append the closed summaries not yet on disk, after cutting what an unfinished write left. */
  private flushClosed(): void {
    if (!this.pendingClosed.length) return;
    const file = this.reg.path(CLOSED_FILE);
    if (this.closedLength() > this.closedState.bytes) truncateSync(file, this.closedState.bytes);
    const text = `${this.pendingClosed.join("\n")}\n`;
    appendFileSync(file, text);
    this.closedState = {
      bytes: this.closedState.bytes + Buffer.byteLength(text),
      crc: crc(text, this.closedState.crc),
    };
    this.pendingClosed = [];
  }

  /**
   * Record that the index now stands at `head`: one journal line with this process's writes, or the
   * whole open file when the journal has grown large or the index was rebuilt or updated from git.
   * Only under the registry lock.
   */
  commitWrites(head: string, parent: string): void {
    // Made on another commit than the index knows (a plain git commit slipped in): the line will not
    // follow on, and the next load reads the difference from git.
    if (parent !== this.head) {
      this.written = [];
      this.pendingClosed = [];
      return;
    }
    if (this.journalBytes < JOURNAL_LIMIT && existsSync(this.reg.path(OPEN_FILE))) {
      this.flushClosed();
      const entry: JournalLine = {
        from: parent,
        head,
        put: this.written,
        closed: [this.closedState.bytes, this.closedState.crc],
      };
      const line = `${sealLine(JSON.stringify(entry))}\n`;
      appendFileSync(this.reg.path(JOURNAL_FILE), line);
      this.journalBytes += line.length;
      this.head = head;
    } else this.save(head);
    this.written = [];
  }

  /** Save, if this process may: under the lock, or when it gets the lock now and nobody saved since it looked. */
  private persist(head: string, rewriteClosed = false): void {
    if (this.locked) {
      try {
        this.save(head, rewriteClosed);
      } catch {
        // Not saved (a full disk): the next load finds what is on disk does not follow on, or does
        // not validate, and brings it up to date from git again.
        this.journalBytes = JOURNAL_LIMIT;
      }
      return;
    }
    const release = tryLock(this.reg.path(LOCAL_DIR, "lock"), "index");
    if (!release) return;
    try {
      if (rewriteClosed || diskSignature(this.reg) === this.seen) this.save(head, rewriteClosed);
    } catch {
      // A derived index that cannot be saved (read-only registry) only costs speed.
    } finally {
      release();
    }
  }

  save(head: string, rewriteClosed = false): void {
    this.head = head;
    if (rewriteClosed) {
      const lines = [...(this.closed?.values() ?? [])].map((s) => JSON.stringify(s));
      const text = lines.length ? `${lines.join("\n")}\n` : "";
      writeFileAtomic(this.reg.path(CLOSED_FILE), text, DERIVED);
      this.closedState = { bytes: Buffer.byteLength(text), crc: crc(text) };
      this.pendingClosed = [];
    } else this.flushClosed();
    const sorted = [...this.open.values()].sort((a, b) =>
      a.due === b.due ? 0 : a.due === null ? 1 : b.due === null ? -1 : a.due < b.due ? -1 : 1,
    );
    const listed: string[] = [];
    const rest: string[] = [];
    for (const x of sorted) {
      const [l, r] = packSummary(x);
      listed.push(JSON.stringify(l));
      rest.push(JSON.stringify(r));
    }
    const dues: [IsoDate, number][] = [];
    let offset = 1;
    sorted.forEach((x, i) => {
      offset += (i ? 1 : 0) + Buffer.byteLength(listed[i] as string);
      if (x.due !== null && x.due !== sorted[i + 1]?.due) dues.push([x.due, offset]);
    });
    const lines = [`[${listed.join(",")}]`, `[${rest.join(",")}]`] as const;
    this.folders = new Set(sorted.map(folderOf));
    const first: OpenFileHead = {
      version: VERSION,
      head,
      maxima: this.maxima,
      broken: this.broken,
      invalid: this.invalid,
      dues,
      bytes: [Buffer.byteLength(lines[0]), Buffer.byteLength(lines[1])],
      crcs: [crc(lines[0]), crc(lines[1])],
      closed: [this.closedState.bytes, this.closedState.crc],
      folders: [...this.folders].sort(),
    };
    writeFileAtomic(
      this.reg.path(OPEN_FILE),
      `${sealLine(JSON.stringify(first))}\n${lines[0]}\n${lines[1]}\n`,
      DERIVED,
    );
    // The open file holds everything the journal said; its lines no longer follow on from its head.
    writeFileAtomic(this.reg.path(JOURNAL_FILE), "", DERIVED);
    this.journalBytes = 0;
    this.seen = diskSignature(this.reg);
  }

  /**
   * Record files in the folders of open records that were changed by hand and not committed
   * (relative paths): the listing shows their last commit and says so (see edits.ts).
   */
  uncommittedEdits(): string[] {
    this.edits ??= uncommittedRecordFiles(this.reg.dir, this.folders);
    return this.edits;
  }
}

function putOpen<S extends ListedSummary>(m: Map<string, S>, s: S | { id: string; deleted: true }): void {
  if ("deleted" in s || s.status !== "open") m.delete(s.id);
  else m.set(s.id, s);
}

/**
 * The open file's first line, and a reader of the rest; undefined when it does not validate: its
 * version, the shape of every field, the lengths of the other lines, and (with `verify`, for a
 * write) the first line's CRC-32. The other lines' CRC-32s are checked when a write parses them.
 * A listing checks no CRC: loading zlib and checking 1.5 MB cost it ~2-3 ms of its ~100, for
 * damage that keeps every length and shape (an edit by hand of a derived file); the next write
 * finds it and rebuilds.
 */
function readOpenFile(reg: Registry, verify: boolean): { head: OpenFileHead; rows: Rows } | undefined {
  try {
    const buf = readFileSync(reg.path(OPEN_FILE));
    const eol = buf.indexOf(0x0a);
    if (eol < 0) return undefined;
    const first = unsealLine(buf.toString("utf8", 0, eol), verify);
    if (first === undefined) return undefined;
    const head = JSON.parse(first) as OpenFileHead;
    if (!validHead(head, verify)) return undefined;
    // Written whole by rename; a file whose lines are not as long as its head says was cut or
    // edited: rebuild.
    const [len2, len3] = head.bytes;
    const eol2 = eol + 1 + len2;
    if (buf.length !== eol2 + 1 + len3 + 1 || buf[eol2] !== 0x0a || buf.at(-1) !== 0x0a) return undefined;
    const line2 = buf.subarray(eol + 1, eol2);
    const line3 = buf.subarray(eol2 + 1, buf.length - 1);
    let checked = !verify;
    const check = () => {
      if (checked) return;
      if (crc(line2) !== head.crcs[0] || crc(line3) !== head.crcs[1]) damaged(reg);
      checked = true;
    };
    // Rows that do not parse, or are not rows of summaries, are damage that kept the lengths.
    const rows = (text: string, width: number): unknown[][] => {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        return damaged(reg);
      }
      // The first and the last row: damage that keeps the JSON valid is an edit, not an accident.
      const row = (r: unknown) => Array.isArray(r) && r.length <= width && typeof r[0] === "string";
      if (!Array.isArray(v) || (v.length > 0 && !(row(v[0]) && row(v[v.length - 1])))) damaged(reg);
      return v as unknown[][];
    };
    const listedRows = (limit?: IsoDate) => {
      check();
      if (limit === undefined) return rows(line2.toString("utf8"), LISTED_KEYS.length);
      // The rows due by `limit` come first: decode and parse only up to the end of the last of them.
      let end = 1;
      for (const [due, offset] of head.dues) if (due <= limit) end = offset;
      return rows(`${buf.toString("utf8", eol + 1, eol + 1 + end)}]`, LISTED_KEYS.length);
    };
    return {
      head,
      rows: {
        listed: (limit) => {
          const m = new Map<string, ListedSummary>();
          for (const row of listedRows(limit)) {
            const s = unpackListed(row);
            m.set(s.id, s);
          }
          return m;
        },
        full: () => {
          const listed = listedRows();
          let rest: unknown[][] = [];
          try {
            rest = JSON.parse(line3.toString("utf8")) as unknown[][];
          } catch {
            damaged(reg);
          }
          if (!Array.isArray(rest) || rest.length !== listed.length || !rest.every(Array.isArray))
            damaged(reg);
          const m = new Map<string, RecordSummary>();
          listed.forEach((row, i) => {
            const s = unpackSummary(row, rest[i] as unknown[]);
            m.set(s.id, s);
          });
          return m;
        },
      },
    };
  } catch {
    return undefined;
  }
}

/**
 * The open file's rows turned out damaged when a command came to parse them (a write checks their
 * CRC-32 then; a listing sees rows that do not parse): empty the file, so that the next command
 * rebuilds it, and fail this one (exit 1, nothing written).
 */
function damaged(reg: Registry): never {
  try {
    writeFileAtomic(reg.path(OPEN_FILE), "", DERIVED);
  } catch {
    /* the next write finds it damaged all the same */
  }
  throw new OfficeError("failed", "index.damaged", { file: OPEN_FILE });
}
