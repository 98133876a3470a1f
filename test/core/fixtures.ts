/**
 * Shared, pure fixtures for the core unit tests: the real working-day calendar (chinese-days data),
 * the shipped incoming workflow, a small office, and fixed instants. Nothing here reads the clock.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import chineseDays from "chinese-days/dist/chinese-days.json";
import { parse } from "yaml";
import { Calendar, type CalendarYear, yearsFromChineseDays } from "../../src/core/calendar.js";
import { DEFAULT_ROLES, type OfficeConfig, type Person } from "../../src/core/model.js";
import { validateWorkflow, type WorkflowDef } from "../../src/core/workflow.js";
import { chineseDaysLunar } from "../../src/store/lunar.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const TZ = "Asia/Shanghai";

export const CALENDAR_YEARS: CalendarYear[] = yearsFromChineseDays(chineseDays, "chinese-days");
/** The calendar as the registry builds it: the published years, and the statute's for the others. */
export const CALENDAR = new Calendar(CALENDAR_YEARS, chineseDaysLunar);

/** Epoch ms of an instant written with its offset, e.g. `2026-02-13T09:00:00+08:00`. */
export function at(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad instant in test: ${iso}`);
  return ms;
}

/** The raw (parsed, unvalidated) YAML of a shipped workflow template. */
export function rawTemplate(kind: string): Record<string, unknown> {
  return parse(readFileSync(join(ROOT, "templates", "workflows", `${kind}.yaml`), "utf8")) as Record<
    string,
    unknown
  >;
}

export function incomingWorkflow(): WorkflowDef {
  const r = validateWorkflow(
    rawTemplate("incoming"),
    "incoming",
    DEFAULT_ROLES.map((x) => x.id),
  );
  if (!r.value) throw new Error(`incoming.yaml invalid: ${JSON.stringify(r.problems)}`);
  return r.value;
}

export const P = {
  clerk: { id: "chang-liqun", name: "常丽群", roles: ["clerk"] },
  office: { id: "wang-shoujie", name: "王守杰", roles: ["office"] },
  secretary: { id: "li-jianguo", name: "李建国", roles: ["party-secretary"] },
  leader: { id: "zhou-qiang", name: "周强", roles: ["leader"] },
  unitHead: { id: "zhao-lei", name: "赵磊", roles: ["unit-head"], unit: "urban" },
  staff: { id: "qian-fang", name: "钱芳", roles: ["staff"], unit: "urban" },
  civilStaff: { id: "sun-li", name: "孙丽", roles: ["staff"], unit: "civil" },
} satisfies Record<string, Person>;

export function makeOffice(): OfficeConfig {
  return {
    name: "X街道办事处",
    timezone: TZ,
    fonds: "Z109",
    roles: DEFAULT_ROLES,
    units: [
      { id: "urban", name: "城管科", code: "CG" },
      { id: "civil", name: "民政科", code: "MZ" },
    ],
    people: Object.values(P),
    prefixes: { office: "X街办发" },
    issuer_marks: {},
    printed_by: "X街道党政办公室",
    egov: { windows: ["07:30", "10:00", "15:30", "18:00"], grace_minutes: 30 },
    backup: { max_age_days: 7 },
  };
}
