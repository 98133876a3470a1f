import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { IsoDate } from "../core/dates.js";
import type { ListedSummary, RecordSummary } from "../core/model.js";
import { normalizeRecord, summarize } from "../core/record.js";
import { fieldByRole } from "../core/workflow.js";
import { maximaOf } from "./allocate.js";
import { writeFileAtomic } from "./atomic.js";
import { changedFiles, headCommit, trackedFiles } from "./git.js";
import { fastLoad, nodeOs, nodeWorkers } from "./lazy.js";
import { packageRoot } from "./paths.js";
import { LOCAL_DIR, parseRecordRel, type Registry } from "./registry.js";

/**
 * Derived summaries of every record, for list and report commands: open records in one JSON file
 * (a few thousand, loaded by every listing) plus a journal of the writes since, closed ones appended
 * to a JSON-lines file (loaded only when asked for). Tied to git HEAD and brought up to date from
 * `git diff --name-only` when HEAD moved; rebuilt when missing. Never the source of truth: delete
 * `.office-doc/` and it comes back.
 */

const VERSION = 5;
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
   * The rows are sorted by due date (none last): for each due date, the byte offset in the second
   * line just after its last row. The overdue list parses only the rows up to its horizon.
   */
  dues: [IsoDate, number][];
  /**
   * The byte lengths of the second and third lines: a file cut or edited by hand (whose lines would
   * otherwise fail only when a command parses them) is rebuilt instead.
   */
  bytes: [number, number];
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

/** What one record file says for the index. */
export type SummaryResult =
  | { id: string; summary: RecordSummary }
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
    return { id, summary: summarize(rec, wf) };
  } catch (e) {
    return { id, broken: ((e as Error).message.split("\n")[0] ?? "").slice(0, 200) };
  }
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

export class RecordIndex {
  private closed?: Map<string, RecordSummary>;

  private openMap?: Map<string, RecordSummary>;
  /** Journal entries read before the open summaries were: applied when they are. */
  private pending: JournalLine["put"] = [];

  private constructor(
    private readonly reg: Registry,
    public head: string,
    private openRows: Rows | undefined,
    readonly maxima: Record<string, number>,
    readonly broken: Record<string, string>,
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

  /** The index as of the registry's HEAD, updated or rebuilt as needed (and saved when it changed). */
  static async load(reg: Registry): Promise<RecordIndex> {
    const head = (await headCommit(reg.dir)) ?? "";
    const saved = readOpenFile(reg);
    if (saved) {
      const idx = new RecordIndex(reg, saved.head.head, saved.rows, saved.head.maxima, saved.head.broken);
      idx.journalBytes = idx.replayJournal();
      if (idx.head === head) return idx;
      if (idx.head) {
        const changed = await changedFiles(reg.dir, idx.head, head, "records");
        if (changed) {
          idx.refreshFiles(changed);
          idx.save(head);
          return idx;
        }
      }
    }
    return RecordIndex.rebuild(reg, head);
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
        line = JSON.parse(raw) as JournalLine;
      } catch {
        break;
      }
      if (line.from !== this.head) continue;
      for (const s of line.put) {
        if (!("deleted" in s)) this.note(s);
        this.putOpen(s);
      }
      this.head = line.head;
    }
    return text.length;
  }

  static async rebuild(reg: Registry, head: string): Promise<RecordIndex> {
    const idx = new RecordIndex(reg, head, undefined, {}, {});
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
    idx.save(head, true);
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
    const closedLines: string[] = [];
    for (const { rel, result } of results) {
      if (!result) continue;
      const id = result.id;
      delete this.broken[rel];
      if ("missing" in result) {
        this.open.delete(id);
        if (!fresh) closedLines.push(JSON.stringify({ id, deleted: true }));
        continue;
      }
      if ("broken" in result) {
        this.broken[rel] = result.broken;
        this.open.delete(id);
        continue;
      }
      const summary = result.summary;
      this.note(summary);
      if (summary.status === "open") this.open.set(id, summary);
      else {
        this.open.delete(id);
        if (fresh) this.closed?.set(id, summary);
        else closedLines.push(JSON.stringify(summary));
      }
    }
    if (closedLines.length) {
      appendFileSync(this.reg.path(CLOSED_FILE), `${closedLines.join("\n")}\n`);
      this.closed = undefined;
    }
  }

  /** Put a summary just written by this process into the index. */
  apply(s: RecordSummary): void {
    this.written.push(s);
    this.note(s);
    this.putOpen(s);
    if (s.status !== "open") {
      appendFileSync(this.reg.path(CLOSED_FILE), `${JSON.stringify(s)}\n`);
      this.closed?.set(s.id, s);
    }
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

  /** Next free sequence number for a key of `maxima` (`id:IN-2026`); see allocate.ts. */
  next(key: string): number {
    return (this.maxima[key] ?? 0) + 1;
  }

  /** Every record's summary, open and closed (loads the closed file). */
  all(): RecordSummary[] {
    if (!this.closed) {
      this.closed = new Map();
      const text = existsSync(this.reg.path(CLOSED_FILE))
        ? readFileSync(this.reg.path(CLOSED_FILE), "utf8")
        : "";
      for (const line of text.split("\n")) {
        if (!line) continue;
        const s = JSON.parse(line) as RecordSummary & { deleted?: boolean };
        if (s.deleted) this.closed.delete(s.id);
        else this.closed.set(s.id, s);
      }
    }
    const out = new Map(this.closed);
    for (const [id, s] of this.open) out.set(id, s);
    return [...out.values()].filter((s) => s.status === "closed" || this.open.has(s.id));
  }

  /**
   * Record that the index now stands at `head`: one journal line with this process's writes, or the
   * whole open file when the journal has grown large or the index was rebuilt or updated from git.
   */
  commitWrites(head: string, parent: string): void {
    // Made on another commit than the index knows (a plain git commit slipped in): the line will not
    // follow on, and the next load reads the difference from git.
    if (parent !== this.head) {
      this.written = [];
      return;
    }
    if (this.journalBytes < JOURNAL_LIMIT && existsSync(this.reg.path(OPEN_FILE))) {
      const line = `${JSON.stringify({ from: parent, head, put: this.written } satisfies JournalLine)}\n`;
      appendFileSync(this.reg.path(JOURNAL_FILE), line);
      this.journalBytes += line.length;
      this.head = head;
    } else this.save(head);
    this.written = [];
  }

  save(head: string, rewriteClosed = false): void {
    this.head = head;
    if (rewriteClosed) {
      const lines = [...(this.closed?.values() ?? [])].map((s) => JSON.stringify(s));
      writeFileAtomic(this.reg.path(CLOSED_FILE), lines.length ? `${lines.join("\n")}\n` : "");
    }
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
    const first: OpenFileHead = {
      version: VERSION,
      head,
      maxima: this.maxima,
      broken: this.broken,
      dues,
      bytes: [Buffer.byteLength(lines[0]), Buffer.byteLength(lines[1])],
    };
    writeFileAtomic(this.reg.path(OPEN_FILE), `${JSON.stringify(first)}\n${lines[0]}\n${lines[1]}\n`);
    // The open file holds everything the journal said; its lines no longer follow on from its head.
    writeFileAtomic(this.reg.path(JOURNAL_FILE), "");
    this.journalBytes = 0;
  }
}

function putOpen<S extends ListedSummary>(m: Map<string, S>, s: S | { id: string; deleted: true }): void {
  if ("deleted" in s || s.status !== "open") m.delete(s.id);
  else m.set(s.id, s);
}

/** The open file's first line, and a reader of the rest. */
function readOpenFile(reg: Registry): { head: OpenFileHead; rows: Rows } | undefined {
  try {
    const buf = readFileSync(reg.path(OPEN_FILE));
    const eol = buf.indexOf(0x0a);
    if (eol < 0) return undefined;
    const head = JSON.parse(buf.toString("utf8", 0, eol)) as OpenFileHead;
    if (head.version !== VERSION || !existsSync(reg.path(CLOSED_FILE))) return undefined;
    // Written whole by rename; a file whose lines are not as long as its head says was cut or
    // edited: rebuild.
    const [len2, len3] = Array.isArray(head.bytes) ? head.bytes : [-1, -1];
    const eol2 = eol + 1 + len2;
    if (buf.length !== eol2 + 1 + len3 + 1 || buf[eol2] !== 0x0a || buf.at(-1) !== 0x0a) return undefined;
    const listedRows = (limit?: IsoDate) => {
      if (limit === undefined) return JSON.parse(buf.toString("utf8", eol + 1, eol2)) as unknown[][];
      // The rows due by `limit` come first: decode and parse only up to the end of the last of them.
      let end = 1;
      for (const [due, offset] of head.dues) if (due <= limit) end = offset;
      return JSON.parse(`${buf.toString("utf8", eol + 1, eol + 1 + end)}]`) as unknown[][];
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
          const rest = JSON.parse(buf.toString("utf8", eol2 + 1)) as unknown[][];
          if (rest.length !== listed.length) throw new Error("the open file's lines differ in length");
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
