import { existsSync, readFileSync } from "node:fs";
import { validateCalendarYear } from "../core/calendar.js";
import { isIsoDate, yearOf } from "../core/dates.js";
import { fixDocNumber, numberingProblems, parseDocNumber } from "../core/numbering.js";
import { validateOffice } from "../core/office.js";
import { OfficeError, type Problem } from "../core/problems.js";
import { isMap } from "../core/raw.js";
import { validateRecord } from "../core/record.js";
import { validateWorkflow } from "../core/workflow.js";
import { git, recordActionOf } from "./git.js";
import { fastLoad } from "./lazy.js";
import { LOCAL_DIR, OFFICE_FILE, parseRecordRel, type Registry, recordRel } from "./registry.js";
import { readJournal, WRITE_AHEAD_FILE } from "./write-ahead.js";
import { type FileProblem, parseYamlText, placeProblems } from "./yaml-io.js";

function fileProblem(
  file: string,
  line: number,
  code: Problem["code"],
  params: Problem["params"],
  warning = false,
): FileProblem {
  return { file, line, path: [], code, params, ...(warning ? { warning } : {}) };
}

/**
 * Why a file git lists cannot be read, and what to do: a write that was killed left it in git's
 * index (its journal names it: the next office-doc write finishes or undoes that write), it is
 * missing from the work tree (deleted by hand), or the file system refuses it (the error's reason).
 */
function missingFile(reg: Registry, rel: string): FileProblem {
  let reason = "";
  try {
    readFileSync(reg.path(rel));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== "ENOENT") reason = err.code ?? err.message;
  }
  if (reason) return fileProblem(rel, 1, "store.unreadable", { file: rel, message: reason });
  const journal = readJournal(reg.path(LOCAL_DIR, WRITE_AHEAD_FILE));
  if (typeof journal === "object" && journal.files.some((f) => f.path === rel))
    return fileProblem(rel, 1, "check.killed-write-file", { file: rel, command: journal.command });
  return fileProblem(rel, 1, "check.missing-file", { file: rel });
}

/** Parse and validate one YAML file; a syntax error becomes a problem of that file. */
function checkYaml(reg: Registry, rel: string, validate: (v: unknown) => Problem[]): FileProblem[] {
  const text = reg.readText(rel);
  if (text === undefined) return [missingFile(reg, rel)];
  try {
    const y = parseYamlText(text, rel);
    return placeProblems(y, validate(y.value));
  } catch (e) {
    // The file and line go in front of the problem; the message itself says only what is wrong.
    if (e instanceof OfficeError)
      return [
        fileProblem(
          rel,
          Number(e.params.line ?? 1),
          e.code === "store.bad-yaml" ? "check.bad-yaml" : e.code,
          e.params,
        ),
      ];
    throw e;
  }
}

/** Per record file, the actions of the commits that touched it, and commits without our trailers. */
async function commitActions(
  reg: Registry,
): Promise<Map<string, { actions: string[]; commits: string[]; foreign: string[] }>> {
  const out = new Map<string, { actions: string[]; commits: string[]; foreign: string[] }>();
  const r = await git(
    reg.dir,
    [
      "log",
      "--reverse",
      "--format=%x1e%H%x1f%(trailers:key=Office-Doc-Action,valueonly,separator=)%x1f%(trailers:key=Office-Doc-Record,valueonly,separator=%x2c)%x1f%(trailers:key=Office-Doc-Record-Actions,valueonly,separator=%x2c)",
      "--name-only",
      "--",
      "records",
    ],
    { okCodes: [128] },
  );
  if (r.code !== 0) return out;
  for (const block of r.stdout.split("\x1e")) {
    if (!block.trim()) continue;
    const [head = "", ...files] = block.split("\n");
    const [hash = "", action = "", recs = "", own = ""] = head.split("\x1f");
    // A calendar change recomputes due dates of open records: derived, not an event of theirs.
    if (action.startsWith("calendar")) continue;
    const records = recs
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const f of files) {
      const parsed = parseRecordRel(f.trim());
      if (!parsed) continue;
      const e = out.get(f.trim()) ?? { actions: [], commits: [], foreign: [] };
      if (action && (records.length === 0 || records.includes(parsed.id))) {
        const [own1] = (recordActionOf(action, own, parsed.id) ?? "").split(/\s+/).filter(Boolean);
        if (own1) {
          e.actions.push(own1);
          e.commits.push(hash);
        }
      } else e.foreign.push(hash.slice(0, 7));
      out.set(f.trim(), e);
    }
  }
  return out;
}

/**
 * Validate every file of the registry: office.yaml, workflows, calendar years, every record (shape,
 * fields, real dates and instants, people and units it names, id and file name, history against
 * git), document numbers (form, gaps, duplicates) and archive numbers (duplicates). Problems carry
 * file and line; warnings do not fail the check. A year without the State Council's notice is
 * warned once if open records are due in it (not for every year the calendar lacks).
 */
export async function checkRegistry(reg: Registry, nowMs: number): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  problems.push(...checkYaml(reg, OFFICE_FILE, (v) => validateOffice(v).problems));
  let office: ReturnType<Registry["office"]> | undefined;
  try {
    office = reg.office();
  } catch {
    return problems; // nothing else can be checked without the office
  }
  const roles = office.roles.map((r) => r.id);
  for (const kind of reg.workflowKinds())
    problems.push(
      ...checkYaml(
        reg,
        `workflows/${kind}.yaml`,
        (v) => validateWorkflow(v, kind, roles, reg.hookNames).problems,
      ),
    );
  const years = reg.calendarYears();
  for (const y of years)
    problems.push(...checkYaml(reg, `calendar/${y}.yaml`, (v) => validateCalendarYear(v, y).problems));
  const covered = new Set(years);
  // Open records due in a year without the State Council's notice, per year: warned once each.
  const provisional = new Map<number, { rel: string; id: string; key: string; n: number }>();

  const files = (
    await git(reg.dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "records"])
  ).stdout
    .split("\0")
    .filter(Boolean);
  const history = await commitActions(reg);
  const seen = new Map<string, string>();
  // Official document numbers per kind that numbers its records: checked for gaps and duplicates.
  const docNumbers = new Map<string, Map<string, string>>();
  const numberFields = new Map<string, string>();
  // Archive numbers (DA/T 22): each given once.
  const archives = new Map<string, string[]>();
  /** Kinds whose workflow file cannot be read: their records are not checked. */
  const unchecked = new Set<string>();
  for (const rel of files.sort()) {
    const parsed = parseRecordRel(rel);
    if (!parsed) {
      if (rel.endsWith(".yaml")) problems.push(fileProblem(rel, 1, "check.unexpected-file", { file: rel }));
      continue;
    }
    const { kind, id } = parsed;
    if (seen.has(id))
      problems.push(fileProblem(rel, 1, "check.duplicate-id", { id, other: seen.get(id) ?? "" }));
    seen.set(id, rel);
    if (recordRel(kind, id) !== rel)
      problems.push(fileProblem(rel, 1, "check.wrong-folder", { id, expected: recordRel(kind, id) }));
    let wf: ReturnType<Registry["workflow"]>;
    try {
      wf = reg.workflow(kind);
    } catch {
      // A workflow file that cannot be read is named above with its line: say once that its
      // kind's records wait for it, rather than that the kind is unknown.
      const kinds = reg.workflowKinds();
      if (!kinds.includes(kind))
        problems.push(
          fileProblem(rel, 1, "store.unknown-kind", {
            kind,
            known: reg
              .workflows()
              .map((w) => w.kind)
              .join(", "),
          }),
        );
      else if (!unchecked.has(kind)) {
        unchecked.add(kind);
        problems.push(fileProblem(`workflows/${kind}.yaml`, 1, "check.kind-not-checked", { kind }));
      }
      continue;
    }
    if (id.split("-")[0] !== wf.prefix)
      problems.push(fileProblem(rel, 1, "check.wrong-prefix", { id, prefix: wf.prefix }));
    const text = reg.readText(rel) ?? "";
    let raw: unknown;
    try {
      // js-yaml is several times faster than yaml; the slow parser runs only to place a problem.
      raw = fastLoad(text);
    } catch {
      raw = undefined;
    }
    if (raw === undefined || validateRecord(raw, wf, office, id).length) {
      const o = office;
      problems.push(...checkYaml(reg, rel, (v) => validateRecord(v, wf, o, id)));
    }
    const numberField = wf.steps.find((st) => st.numbers)?.numbers?.field;
    const rec = isMap(raw) ? raw : {};
    const dn = numberField && isMap(rec.fields) ? rec.fields[numberField] : undefined;
    if (numberField && typeof dn === "string") {
      const m = docNumbers.get(kind) ?? new Map<string, string>();
      m.set(id, dn);
      docNumbers.set(kind, m);
      numberFields.set(kind, numberField);
    }
    const archive = isMap(rec.archive) ? rec.archive.number : undefined;
    if (typeof archive === "string") archives.set(archive, [...(archives.get(archive) ?? []), id]);
    if (rec.status === "open") {
      const counted = new Set<number>();
      for (const key of ["due", "deadline"])
        if (typeof rec[key] === "string" && isIsoDate(rec[key] as string)) {
          const y = yearOf(rec[key] as string);
          if (covered.has(y) || counted.has(y)) continue;
          counted.add(y);
          const first = provisional.get(y);
          if (first) first.n++;
          else provisional.set(y, { rel, id, key, n: 1 });
        }
    }
    const events = (raw as { history?: { action?: string; fixes?: unknown }[] } | undefined)?.history;
    const commits = history.get(rel);
    if (Array.isArray(events) && commits) {
      const fromFile = events.map((e) => String(e?.action ?? ""));
      // A `fix` event (issue 18) takes the actions of the commits it repairs out of the history:
      // those commits stay in git, and are not counted against it.
      const fixed = events.flatMap((e) => (Array.isArray(e?.fixes) ? e.fixes.map(String) : []));
      const counted = commits.actions.filter(
        (_, i) => !fixed.some((f) => f.length >= 7 && (commits.commits[i] ?? "").startsWith(f)),
      );
      // Compared as sets of actions, not in order: two clerks' actions on one record merged by
      // sync stand in the history by time, while their commits stand in the order they were shared
      // (issue 17).
      if ([...fromFile].sort().join(" ") !== [...counted].sort().join(" "))
        problems.push(
          fileProblem(rel, 1, "check.history-mismatch", {
            id,
            file: fromFile.length,
            git: counted.length,
          }),
        );
      if (commits.foreign.length)
        problems.push(
          fileProblem(rel, 1, "check.foreign-commits", { id, commits: commits.foreign.join(", ") }, true),
        );
    } else if (Array.isArray(events) && !commits)
      problems.push(fileProblem(rel, 1, "check.not-committed", { id }, true));
  }

  // Problems found across records are placed on the line of the key in each record they name.
  const at = (rel: string, path: (string | number)[]): number => {
    try {
      return parseYamlText(reg.readText(rel) ?? "", rel).lineOf(path);
    } catch {
      return 1;
    }
  };
  for (const [y, first] of [...provisional].sort(([a], [b]) => a - b))
    problems.push(
      fileProblem(
        first.rel,
        at(first.rel, [first.key]),
        "check.provisional-year",
        { year: y, n: first.n, id: first.id },
        true,
      ),
    );

  for (const [kind, numbers] of docNumbers) {
    const field = numberFields.get(kind) as string;
    const where = (id: string) => seen.get(id) ?? id;
    // Numbers not of the form, by the number they were meant to be: the cause of a gap.
    const meant = new Map<string, { id: string; bad: string }>();
    for (const [id, dn] of numbers) {
      const fixed = parseDocNumber(dn) ? undefined : fixDocNumber(dn);
      if (fixed) meant.set(fixed, { id, bad: dn });
    }
    for (const np of numberingProblems(numbers)) {
      if (np.kind === "gap") {
        const nextId = np.next?.ids[0] ?? "";
        const cause = meant.get(`${np.series}${np.n}号`);
        problems.push(
          fileProblem(
            where(nextId),
            at(where(nextId), ["fields", field]),
            cause ? "check.number-gap-malformed" : "check.number-gap-before",
            {
              series: np.series,
              n: np.n,
              next: `${np.series}${np.next?.n ?? ""}号`,
              ...(cause ? { id: cause.id, bad: cause.bad } : {}),
            },
          ),
        );
      } else
        for (const id of np.ids)
          problems.push(
            fileProblem(where(id), at(where(id), ["fields", field]), "check.number-duplicate", {
              number: `${np.series}${np.n}号`,
              ids: np.ids.join(", "),
            }),
          );
    }
  }
  for (const [number, ids] of archives) {
    if (ids.length < 2) continue;
    for (const id of ids.sort()) {
      const rel = seen.get(id) ?? id;
      problems.push(
        fileProblem(rel, at(rel, ["archive", "number"]), "check.archive-duplicate", {
          number,
          ids: ids.join(", "),
        }),
      );
    }
  }

  const status = (await git(reg.dir, ["status", "--porcelain", "-z", "--untracked-files=normal"])).stdout
    .split("\0")
    .filter(Boolean);
  if (status.length)
    problems.push(
      fileProblem(
        ".",
        1,
        "check.uncommitted",
        {
          files: status
            .map((s) => s.slice(3))
            .slice(0, 10)
            .join(", "),
        },
        true,
      ),
    );

  const backupFile = reg.path(LOCAL_DIR, "last-backup.json");
  const maxAge = office.backup.max_age_days;
  if (!existsSync(backupFile)) problems.push(fileProblem(".", 1, "check.no-backup", { days: maxAge }, true));
  else {
    const { at } = JSON.parse(readFileSync(backupFile, "utf8")) as { at: number };
    const age = Math.floor((nowMs - at) / 86_400_000);
    if (age > maxAge) problems.push(fileProblem(".", 1, "check.old-backup", { age, days: maxAge }, true));
  }
  if (existsSync(reg.path(LOCAL_DIR, "lock")))
    problems.push(fileProblem(`${LOCAL_DIR}/lock`, 1, "check.lock-present", {}, true));
  // A write killed midway leaves git's index and temp files holding it until the next write
  // finishes or undoes it: committing "the uncommitted changes" by hand would commit a failed action.
  const journal = readJournal(reg.path(LOCAL_DIR, WRITE_AHEAD_FILE));
  if (journal !== undefined)
    problems.push(
      fileProblem(
        `${LOCAL_DIR}/${WRITE_AHEAD_FILE}`,
        1,
        "check.write-interrupted",
        journal === "unreadable"
          ? { command: "?", files: "" }
          : { command: journal.command, files: journal.files.map((f) => f.path).join(", ") },
        true,
      ),
    );
  return problems;
}
