import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { commitMessage } from "../core/commit-message.js";
import { formatId, idPattern, isProvisionalId, parseId } from "../core/ids.js";
import {
  eventsSince,
  type Keep,
  type MergeConflict,
  mergeRecord,
  type ReplayContext,
  resolveEvent,
} from "../core/merge.js";
import type { HistoryEvent, Person, RecordDoc } from "../core/model.js";
import { findPerson } from "../core/office.js";
import { OfficeError, refused } from "../core/problems.js";
import { normalizeRecord, orderedRecord, validateRecord } from "../core/record.js";
import { git, type Identity } from "./git.js";
import {
  catFileBatch,
  foldersOf,
  identLine,
  parseTree,
  planCommit,
  readSnapshot,
  writeObjects,
} from "./git-objects.js";
import { fastLoad } from "./lazy.js";
import { parseRecordRel, type Registry, recordRel } from "./registry.js";
import { toYaml } from "./yaml-io.js";

/**
 * office-doc's own rebase (issue 17): this clone's commits that the remote does not have, made again
 * on top of the remote's head, one for one, each keeping its message (its trailers), its author and
 * its committer with their dates, so that every commit stays the office-doc action it was (what
 * `verify` checks). Files the remote did not change since the two parted are taken as they are;
 * a record both changed is merged by its events (core/merge.ts); another file both changed is
 * merged by lines (`git merge-file`), and a conflict there is a conflict. Nothing is written but
 * loose objects (harmless until a ref points to them); moving HEAD is the caller's (moveHead).
 *
 * Provisional ids (`IN-2026-L0003`, given offline) are renamed here, before anything is shared, to
 * the next free ids after the remote's highest: the record's file (a provisional record's file
 * lives in the `L00` folder and moves once, before it is shared), every mention of the id in the
 * files this clone changed (other records' merged_into, a task's source, a meeting's series), and
 * the commit messages; the creating commit carries `Office-Doc-Provisional: <old id>`. So the
 * record's history is one path from its first shared commit on (DESIGN.md "Distribution").
 */

export interface Resolver {
  person: Person;
  identity: Identity;
  /** Now (ISO 8601 with offset). */
  at: string;
  /** Why, per record id (`resolve --reason`). */
  reasons: Record<string, string>;
}

export interface RebaseOptions {
  /** This clone's HEAD. */
  head: string;
  /** The remote's head (undefined: the remote has no such branch yet). */
  upstream: string | undefined;
  /** Local commits to leave out (the tip of a write whose push was refused: it is made again). */
  drop?: ReadonlySet<string>;
  /** Conflicting records (or files) a person settled with `resolve`: id or path -> which side stays. */
  keep?: ReadonlyMap<string, Keep>;
  /** Who settled them (for the `resolve` event of `keep: local`). */
  resolver?: Resolver;
}

/** A record or file that cannot be merged, with what each side did to it. */
export interface RebaseConflict {
  path: string;
  /** For a record: its id, and the events of each side. */
  record?: MergeConflict;
  /** For another file, or a record that cannot be merged at all: why. */
  reason?: string;
}

export interface RebasePlan {
  /** The new head: `upstream` plus this clone's commits made again (or HEAD when nothing changes). */
  head: string;
  /** Loose objects written for the new commits, and folders made for them: to make durable. */
  objectFiles: string[];
  objectFolders: string[];
  /** Provisional (or clashing) ids renamed: [old, new]. */
  renamed: [string, string][];
  conflicts: RebaseConflict[];
  /** Events of this clone set aside by `resolve --keep remote`, per record id. */
  dropped: { id: string; events: HistoryEvent[] }[];
  /** This clone's commits on top of the upstream afterwards. */
  ahead: number;
}

interface Entry {
  path: string;
  oldOid: string | undefined;
  newOid: string | undefined;
}

const ZERO = /^0+$/;

/** The files a commit changed from its first parent (or from nothing). */
async function changesOf(dir: string, commit: string): Promise<Entry[]> {
  const r = await git(dir, ["diff-tree", "-r", "-z", "--no-renames", "--root", "--no-commit-id", commit]);
  const parts = r.stdout.split("\0");
  const out: Entry[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const m = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) \w+$/.exec(parts[i] as string);
    if (!m) continue;
    out.push({
      path: parts[i + 1] as string,
      oldOid: ZERO.test(m[3] as string) ? undefined : m[3],
      newOid: ZERO.test(m[4] as string) ? undefined : m[4],
    });
  }
  return out;
}

/** A commit's header lines and message. */
function parseCommit(body: Buffer): { author: string; committer: string; message: string } {
  const text = body.toString("utf8");
  const cut = text.indexOf("\n\n");
  const head = cut < 0 ? text : text.slice(0, cut);
  const message = cut < 0 ? "" : text.slice(cut + 2);
  let author = "";
  let committer = "";
  for (const line of head.split("\n")) {
    if (line.startsWith("author ")) author = line.slice(7);
    else if (line.startsWith("committer ")) committer = line.slice(10);
  }
  return { author, committer, message };
}

/** The highest final sequence number of `kind`'s ids of `year` in `commit`'s tree (0 for none). */
async function highestSeq(dir: string, commit: string, kind: string, year: number): Promise<number> {
  const [yearTree] = await catFileBatch(dir, [`${commit}:records/${kind}/${year}`]);
  if (yearTree?.type !== "tree") return 0;
  const buckets = parseTree(yearTree.body)
    .filter((e) => e.mode === "40000" && /^\d+$/.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => Number(b) - Number(a));
  for (const b of buckets) {
    const [t] = await catFileBatch(dir, [`${commit}:records/${kind}/${year}/${b}`]);
    if (t?.type !== "tree") continue;
    let max = 0;
    for (const e of parseTree(t.body)) {
      const m = /^[A-Z]+-\d{4}-(\d+)\.yaml$/.exec(e.name);
      if (m) max = Math.max(max, Number(m[1]));
    }
    if (max) return max;
  }
  return 0;
}

/** Replace every mention of the renamed ids in `text`. */
function renameIn(text: string, renames: [string, string][]): string {
  let out = text;
  for (const [from, to] of renames) out = out.replace(idPattern(from), to);
  return out;
}

/** `git merge-file`: a three-way merge of lines; undefined when the two changes overlap. */
async function mergeLines(
  dir: string,
  base: Buffer,
  theirs: Buffer,
  mine: Buffer,
): Promise<Buffer | undefined> {
  const tmp = mkdtempSync(join(dir, ".office-doc-merge-"));
  try {
    writeFileSync(join(tmp, "base"), base);
    writeFileSync(join(tmp, "theirs"), theirs);
    writeFileSync(join(tmp, "mine"), mine);
    const r = await git(
      dir,
      ["merge-file", "-p", "--quiet", join(tmp, "mine"), join(tmp, "base"), join(tmp, "theirs")],
      {
        okCodes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      },
    );
    return r.code === 0 ? Buffer.from(r.stdout, "utf8") : undefined;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The engine's contexts for re-applying recorded events (core/merge.ts), from the registry. */
export function replayContext(reg: Registry, kind: string): ReplayContext {
  const office = reg.office();
  return {
    person: (id) => findPerson(office, id),
    contextFor(e) {
      const actor = findPerson(office, e.actor);
      const recorder = findPerson(office, e.recorded_by);
      if (!actor || !recorder) return undefined;
      return {
        office,
        wf: reg.workflow(kind),
        calendar: reg.calendar(),
        now: Date.parse(e.at),
        actor,
        recorder,
        hooks: reg.hooks,
      };
    },
  };
}

/** A record file's bytes as a record (undefined when it is not readable as one). */
export function parseRecord(bytes: Buffer | undefined): RecordDoc | undefined {
  if (!bytes) return undefined;
  try {
    const raw = fastLoad(bytes.toString("utf8"));
    return raw && typeof raw === "object" ? normalizeRecord(raw as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Plan this clone's commits again on top of `upstream` (see above). Returns the new head with the
 * objects written for it, or the conflicts (then nothing is to be moved). Errors: share.merge-commits
 * (a merge commit among this clone's: made by hand), share.unrelated (no common history).
 */
export async function planRebase(reg: Registry, opts: RebaseOptions): Promise<RebasePlan> {
  const dir = reg.dir;
  const plan: RebasePlan = {
    head: opts.head,
    objectFiles: [],
    objectFolders: [],
    renamed: [],
    conflicts: [],
    dropped: [],
    ahead: 0,
  };
  // Where the two parted, and this clone's commits since.
  let fork: string;
  if (opts.upstream) {
    const mb = await git(dir, ["merge-base", opts.head, opts.upstream], { okCodes: [1] });
    fork = mb.stdout.trim();
    if (mb.code !== 0 || !fork) throw refused("share.unrelated", { dir });
  } else {
    // Nothing shared yet: only commits from the first that needs it (a provisional record, a
    // commit to leave out) are made again.
    const adds = await git(dir, [
      "log",
      "--format=%H",
      "--diff-filter=A",
      opts.head,
      "--",
      ":(glob)records/*/*/L*/*.yaml",
    ]);
    const first = [...adds.stdout.trim().split("\n").filter(Boolean), ...(opts.drop ?? [])];
    if (!first.length) return plan;
    const order = (await git(dir, ["rev-list", "--reverse", opts.head])).stdout.trim().split("\n");
    const at = Math.min(...first.map((c) => order.indexOf(c)).filter((i) => i >= 0));
    if (!Number.isFinite(at) || at < 1) return plan;
    fork = order[at - 1] as string;
  }
  const upstream = opts.upstream ?? fork;
  const local = (await git(dir, ["rev-list", "--reverse", "--topo-order", `${fork}..${opts.head}`])).stdout
    .trim()
    .split("\n")
    .filter(Boolean);
  if (!local.length) {
    plan.head = upstream;
    return plan;
  }
  if ((await git(dir, ["rev-list", "--merges", "--count", `${fork}..${opts.head}`])).stdout.trim() !== "0")
    throw refused("share.merge-commits", { dir });
  const kept = local.filter((c) => !opts.drop?.has(c));
  const changes = new Map<string, Entry[]>();
  for (const c of kept) changes.set(c, await changesOf(dir, c));

  // Ids to rename: provisional ones, and final ones the remote has given meanwhile (a write that
  // was killed before its push), each to the next free id after the remote's highest.
  const renames: [string, string][] = [];
  const created: { id: string; kind: string; commit: string }[] = [];
  for (const c of kept)
    for (const e of changes.get(c) ?? []) {
      const parsed = !e.oldOid && e.newOid ? parseRecordRel(e.path) : undefined;
      if (parsed) created.push({ id: parsed.id, kind: parsed.kind, commit: c });
    }
  const clashing = new Set<string>();
  if (created.length && opts.upstream) {
    const there = await catFileBatch(
      dir,
      created.map((x) => `${upstream}:${recordRel(x.kind, x.id)}`),
    );
    created.forEach((x, i) => {
      if (there[i] && !isProvisionalId(x.id)) clashing.add(x.id);
    });
  }
  const highest = new Map<string, number>();
  const keyOf = (kind: string, year: number) => `${kind}/${year}`;
  for (const x of created) {
    const id = parseId(x.id, 0);
    if (!id) continue;
    const key = keyOf(x.kind, id.year);
    if (!highest.has(key)) highest.set(key, await highestSeq(dir, upstream, x.kind, id.year));
    // Final ids this clone keeps are taken too.
    if (!id.provisional && !clashing.has(x.id)) highest.set(key, Math.max(highest.get(key) ?? 0, id.seq));
  }
  for (const x of created) {
    const id = parseId(x.id, 0);
    if (!id || (!id.provisional && !clashing.has(x.id))) continue;
    const key = keyOf(x.kind, id.year);
    const seq = (highest.get(key) ?? 0) + 1;
    highest.set(key, seq);
    renames.push([x.id, formatId({ prefix: id.prefix, year: id.year, seq })]);
  }
  plan.renamed = renames;
  const provisional = renames.filter(([from]) => isProvisionalId(from));
  const renameOf = new Map(renames);
  const pathOf = (p: string) => {
    const r = parseRecordRel(p);
    const to = r ? renameOf.get(r.id) : undefined;
    return r && to ? recordRel(r.kind, to) : p;
  };

  const objectsDir = (await git(dir, ["rev-parse", "--git-path", "objects"])).stdout.trim();
  const gitDir = join(objectsDir.startsWith("/") ? objectsDir : join(dir, objectsDir), "..");
  const folders = new Set<string>();
  const write = (objects: Parameters<typeof writeObjects>[1]) => {
    const w = writeObjects(gitDir, objects);
    plan.objectFiles.push(...w.files);
    for (const f of w.folders) folders.add(f);
  };
  // The remote's version of a record, once a `resolve` commit set its events aside.
  const theirsOverride = new Map<string, Buffer>();
  const resolvedDone = new Set<string>();
  let parent = upstream;

  const commitOn = async (
    base: string,
    files: { path: string; content: Buffer | undefined }[],
    header: { author: string; committer: string },
    message: string,
  ): Promise<string | undefined> => {
    const snap = await readSnapshot(dir, base, foldersOf(files.map((f) => f.path)));
    const made = planCommit(snap, files, { ...header, message });
    const rootBefore = snap.folders.get("");
    const baseTree = (await catFileBatch(dir, [`${base}^{tree}`]))[0]?.oid;
    const treeObj = made.objects[made.objects.length - 2];
    if (rootBefore && treeObj && treeObj.oid.toString("hex") === baseTree) return undefined; // nothing changed
    write(made.objects);
    return made.commit;
  };

  for (const c of kept) {
    const entries = changes.get(c) ?? [];
    const [raw] = await catFileBatch(dir, [c]);
    if (!raw) throw new Error(`commit ${c} is missing`);
    const orig = parseCommit(raw.body);
    const names: string[] = [];
    for (const e of entries) names.push(`${fork}:${e.path}`, `${upstream}:${pathOf(e.path)}`);
    const objs = await catFileBatch(dir, [
      ...names,
      ...entries.map((e) => (e.newOid ? e.newOid : "0".repeat(40))),
    ]);
    const files: { path: string; content: Buffer | undefined }[] = [];
    let setAside = false;
    let touchedOther = false;
    let blocked = false;
    for (const [k, e] of entries.entries()) {
      const target = pathOf(e.path);
      const base = objs[2 * k];
      const theirsObj = objs[2 * k + 1];
      const mineObj = e.newOid ? objs[names.length + k] : undefined;
      const rec = parseRecordRel(e.path);
      // Mentions of provisional ids in every file; a clashing final id only in its own record.
      const own = rec ? renames.filter(([from]) => from === rec.id) : [];
      const subst = (b: Buffer | undefined) =>
        b && (provisional.length || own.length)
          ? Buffer.from(renameIn(b.toString("utf8"), [...provisional, ...own]), "utf8")
          : b;
      const mine = subst(mineObj?.body);
      const theirsBytes = theirsOverride.get(target) ?? theirsObj?.body;
      const theirsOid = theirsOverride.has(target) ? "override" : theirsObj?.oid;
      if (base?.oid === theirsOid) {
        files.push({ path: target, content: mine });
        touchedOther ||= !rec;
        continue;
      }
      const keep = opts.keep?.get(rec?.id ?? e.path);
      if (!rec) {
        touchedOther = true;
        const merged =
          keep === "local"
            ? mine
            : keep === "remote"
              ? theirsBytes
              : mine && theirsBytes && base
                ? mine.equals(theirsBytes)
                  ? mine
                  : await mergeLines(dir, base.body, theirsBytes, mine)
                : undefined;
        if (merged === undefined && !(keep === "remote" && !theirsBytes)) {
          plan.conflicts.push({ path: e.path, reason: "lines" });
          blocked = true;
          continue;
        }
        files.push({ path: target, content: merged });
        continue;
      }
      const wf = reg.workflow(rec.kind);
      const baseRec = parseRecord(base?.body);
      let theirsRec = parseRecord(theirsBytes);
      const mineRec = parseRecord(mine);
      if (!baseRec || !theirsRec || !mineRec) {
        plan.conflicts.push({ path: e.path, reason: "unreadable" });
        blocked = true;
        continue;
      }
      if (keep === "local" && !resolvedDone.has(rec.id)) {
        // A `resolve` commit first: the remote's events since the base set aside by the person.
        const who = opts.resolver;
        if (!who) throw refused("share.no-resolver");
        const r = resolveEvent(baseRec, theirsRec, {
          actor: who.person.id,
          at: who.at,
          reason: who.reasons[rec.id] ?? "",
        });
        const text = Buffer.from(toYaml(orderedRecord(r, wf)), "utf8");
        const ident = identLine(who.identity.name, who.identity.email, who.at, Date.now());
        const message = commitMessage(`resolve ${rec.id}: ${r.title}`, {
          "Office-Doc-Action": "resolve",
          "Office-Doc-Record": rec.id,
          "Office-Doc-Actor": who.person.id,
          "Office-Doc-Recorded-By": who.person.id,
        });
        const made = await commitOn(
          parent,
          [{ path: target, content: text }],
          { author: ident, committer: ident },
          message,
        );
        if (made) parent = made;
        theirsOverride.set(target, text);
        resolvedDone.add(rec.id);
        theirsRec = r;
      }
      const out = mergeRecord(
        baseRec,
        theirsRec,
        mineRec,
        replayContext(reg, rec.kind),
        keep === "remote" ? "remote" : undefined,
      );
      if (out.conflict) {
        plan.conflicts.push({ path: e.path, record: out.conflict });
        blocked = true;
        continue;
      }
      if (out.dropped.length) {
        // Those of this commit's own events that were dropped: the commit goes if they all did.
        const before = parseRecord(e.oldOid ? (await catFileBatch(dir, [e.oldOid]))[0]?.body : undefined);
        const ownEvents =
          eventsSince(mineRec.history, before?.history ?? []) ??
          mineRec.history.slice(before?.history.length ?? 0);
        const gone = ownEvents.filter((x) =>
          out.dropped.some((d) => JSON.stringify(d) === JSON.stringify(x)),
        );
        if (gone.length) {
          const entry = plan.dropped.find((d) => d.id === rec.id);
          if (entry) entry.events.push(...gone);
          else plan.dropped.push({ id: rec.id, events: gone });
          if (gone.length === ownEvents.length) setAside = true;
        }
      }
      const ordered = orderedRecord(out.record, wf);
      const problems = validateRecord(ordered, wf, reg.office(), rec.id).filter((p) => !p.warning);
      if (problems.length) {
        plan.conflicts.push({ path: e.path, reason: problems[0]?.code ?? "invalid" });
        blocked = true;
        continue;
      }
      files.push({ path: target, content: Buffer.from(toYaml(ordered), "utf8") });
    }
    if (blocked) continue;
    if (setAside) {
      if (touchedOther || entries.length > 1)
        plan.conflicts.push({ path: entries[0]?.path ?? "", reason: "part-of-commit" });
      continue; // the whole action is set aside: its commit is not made again
    }
    let message = renameIn(orig.message, [
      ...provisional,
      ...renames.filter(([from]) => entries.some((e) => parseRecordRel(e.path)?.id === from)),
    ]);
    const createdHere = entries.flatMap((e) => {
      const r = !e.oldOid ? parseRecordRel(e.path) : undefined;
      return r && renameOf.has(r.id) ? [r.id] : [];
    });
    if (createdHere.length)
      message = `${message.replace(/\n*$/, "")}\nOffice-Doc-Provisional: ${createdHere.join(", ")}\n`;
    const made = await commitOn(parent, files, orig, message);
    if (made) {
      parent = made;
      plan.ahead++;
    }
  }
  plan.objectFolders = [...folders];
  if (plan.conflicts.length) return plan;
  plan.head = parent;
  return plan;
}

/** An OfficeError for conflicts, naming the records (and files) and how to settle them. */
export function conflictError(conflicts: RebaseConflict[], remote: string): OfficeError {
  const ids = conflicts.map((c) => c.record?.id ?? c.path);
  return new OfficeError("refused", "share.conflict", { ids: [...new Set(ids)].join(", "), remote });
}
