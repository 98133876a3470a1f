import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type CalendarYear, type ChineseDaysData, yearsFromChineseDays } from "../core/calendar.js";
import { failed } from "../core/problems.js";
import { writeFileAtomic } from "./atomic.js";
import { commitPaths, git, type Identity } from "./git.js";
import { yaml } from "./lazy.js";
import { templatePath } from "./paths.js";
import { LOCAL_DIR, OFFICE_FILE } from "./registry.js";
import { documentText, toYaml } from "./yaml-io.js";

const CHINESE_DAYS_SOURCE = "State Council notices, via the chinese-days package";

/** The calendar years shipped with office-doc (every year the chinese-days data covers). */
export function bundledCalendarYears(): CalendarYear[] {
  // Only init needs the data: read from the package, not bundled into every command's start.
  const data = createRequire(import.meta.url)("chinese-days/dist/chinese-days.json") as ChineseDaysData;
  return yearsFromChineseDays(data, CHINESE_DAYS_SOURCE);
}

export function calendarYearYaml(cy: CalendarYear): string {
  const head =
    `# Working-day calendar ${cy.year}. rest: days off (every day of each holiday); work: adjusted\n` +
    "# working days (调休) on weekends. Change with `office-doc calendar set` or by hand, then `office-doc check`.\n";
  const body: Record<string, unknown> = { year: cy.year };
  if (cy.source) body.source = cy.source;
  body.rest = Object.fromEntries(Object.entries(cy.rest).sort());
  body.work = Object.fromEntries(Object.entries(cy.work).sort());
  return head + toYaml(body);
}

/** Git settings for a registry that grows to hundreds of thousands of files. */
const GIT_SETTINGS: [string, string][] = [
  ["feature.manyFiles", "true"],
  ["core.splitIndex", "true"],
  ["core.untrackedCache", "true"],
  ["core.commitGraph", "true"],
  ["gc.writeCommitGraph", "true"],
  ["fetch.writeCommitGraph", "true"],
  ["core.quotePath", "false"],
];

export interface InitOptions {
  name?: string;
  identity: Identity;
  /** Commit time, ISO 8601 with offset (OFFICE_DOC_NOW). */
  when?: string;
}

/**
 * Create a registry in `dir`: git repository, office.yaml, workflows and calendar from templates,
 * .gitignore for the local folder; one commit. Refuses a folder that already holds a registry.
 */
export async function initRegistry(dir: string, opts: InitOptions): Promise<string[]> {
  if (existsSync(join(dir, OFFICE_FILE))) throw failed("init.exists", { dir });
  const created = !existsSync(dir);
  const written: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, ".git"))) await git(dir, ["init", "-q", "-b", "main"]);
    for (const [k, v] of GIT_SETTINGS) await git(dir, ["config", k, v]);
    const put = (rel: string, text: string) => {
      writeFileAtomic(join(dir, rel), text);
      written.push(rel);
    };
    const office = yaml().parseDocument(readFileSync(templatePath("office.yaml"), "utf8"));
    if (opts.name) office.set("name", opts.name);
    put(OFFICE_FILE, documentText(office));
    for (const f of readdirSync(templatePath("workflows")).sort()) {
      // The workflows, and their JSON Schema for editors and `check`.
      if (f.endsWith(".yaml") || f.endsWith(".schema.json"))
        put(`workflows/${f}`, readFileSync(templatePath("workflows", f), "utf8"));
    }
    for (const f of readdirSync(templatePath("forms")).sort())
      put(`forms/${f}`, readFileSync(templatePath("forms", f), "utf8"));
    for (const cy of bundledCalendarYears()) put(`calendar/${cy.year}.yaml`, calendarYearYaml(cy));
    put(".gitignore", `${LOCAL_DIR}/\n`);
    // A README already in the folder (the project's ./registry has one) becomes part of the registry.
    const adopted = existsSync(join(dir, "README.md")) ? ["README.md"] : [];
    const spec = {
      message: `init: ${office.get("name")}\n\nOffice-Doc-Action: init\n`,
      author: opts.identity,
      committer: opts.identity,
      ...(opts.when ? { authorDate: opts.when, committerDate: opts.when } : {}),
    };
    await commitPaths(dir, [...written, ...adopted], spec);
    await git(dir, ["commit-graph", "write", "--reachable", "--changed-paths"]).catch(() => undefined);
    return written;
  } catch (e) {
    if (created) rmSync(dir, { recursive: true, force: true });
    else for (const rel of written) rmSync(join(dir, rel), { force: true });
    throw e;
  }
}
