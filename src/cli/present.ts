import { yearOf } from "../core/dates.js";
import { provisionalYears } from "../core/deadline.js";
import type { ActionResult } from "../core/engine.js";
import type { Detail } from "../core/hooks.js";
import type { HistoryEvent, Label, OfficeConfig, RecordDoc } from "../core/model.js";
import { type FieldDef, fieldByRole, UNCLASSIFIED, valueLabel, type WorkflowDef } from "../core/workflow.js";
import type { Lang } from "../ui/i18n/index.js";
import type { Ctx } from "./context.js";

export const label = (l: Label | undefined, lang: Lang, fallback = ""): string => (l ? l[lang] : fallback);

export function stepLabel(wf: WorkflowDef | undefined, step: string | null, lang: Lang): string {
  if (step === null) return lang === "zh-CN" ? "已办结" : "closed";
  return label(wf?.steps.find((s) => s.id === step)?.label, lang, step);
}

/**
 * Names of kinds, steps and holders for listings. Thousands of rows share a few dozen of each, so
 * each is named once, cached by the values themselves: no key string or closure is made per row.
 */
export function listingLabels(office: OfficeConfig, workflows: readonly WorkflowDef[], lang: Lang) {
  const wfs = new Map(workflows.map((w) => [w.kind, w]));
  const kinds = new Map<string, string>();
  const steps = new Map<string, Map<string | null, string>>();
  const holders = new Map<string, string>();
  const classifications = new Map<string, Map<string, string>>();
  return {
    kind(kind: string): string {
      let v = kinds.get(kind);
      if (v === undefined) {
        v = label(wfs.get(kind)?.label, lang, kind);
        kinds.set(kind, v);
      }
      return v;
    },
    step(kind: string, step: string | null): string {
      let byStep = steps.get(kind);
      if (!byStep) {
        byStep = new Map();
        steps.set(kind, byStep);
      }
      let v = byStep.get(step);
      if (v === undefined) {
        v = stepLabel(wfs.get(kind), step, lang);
        byStep.set(step, v);
      }
      return v;
    },
    /** A summary's classification (shown in brackets before its title); empty when none. */
    classification(kind: string, value: string | undefined): string {
      if (value === undefined) return "";
      let byValue = classifications.get(kind);
      if (!byValue) {
        byValue = new Map();
        classifications.set(kind, byValue);
      }
      let v = byValue.get(value);
      if (v === undefined) {
        v = classificationWord(wfs.get(kind), value, lang);
        byValue.set(value, v);
      }
      return v;
    },
    holders(ids: readonly string[]): string {
      // Ids have no commas: the joined list names the set.
      const key = ids.length === 1 ? (ids[0] as string) : ids.join(",");
      let v = holders.get(key);
      if (v === undefined) {
        v = namesOf(office, ids, lang);
        holders.set(key, v);
      }
      return v;
    },
  };
}

/** A person's or unit's name for people to read; the id when unknown. */
export function nameOf(office: OfficeConfig, id: string): string {
  return office.people.find((p) => p.id === id)?.name ?? office.units.find((u) => u.id === id)?.name ?? id;
}

/** Names joined as each language lists them (Chinese uses the enumeration comma 、). */
export function namesOf(office: OfficeConfig, ids: readonly string[], lang: Lang = "en"): string {
  return ids.map((id) => nameOf(office, id)).join(lang === "zh-CN" ? "、" : ", ");
}

export function fieldLabel(wf: WorkflowDef, id: string, lang: Lang): string {
  return label(wf.fields.find((f) => f.id === id)?.label, lang, id);
}

export function roleLabel(office: OfficeConfig, id: string, lang: Lang): string {
  return label(office.roles.find((r) => r.id === id)?.label, lang, id);
}

/**
 * The record as `show --json` and action `--json` print it: the file's content plus labels, and a
 * `calendar_warning` when its due date or deadline is in a year without the State Council's notice.
 */
export function recordJson(rec: RecordDoc, wf: WorkflowDef, ctx: Ctx): Record<string, unknown> {
  const warning = calendarWarning(ctx, [rec.due, rec.deadline]);
  const details = kindDetails(ctx, rec, wf);
  return {
    ...rec,
    kind_label: label(wf.label, ctx.lang),
    step_label: rec.step ? stepLabel(wf, rec.step, ctx.lang) : null,
    ...(warning ? { calendar_warning: warning } : {}),
    ...(details.length ? { details: detailsJson(ctx, details) } : {}),
  };
}

/** What the kind derives from the record for `show` (its workflow's `details` hook), if anything. */
export function kindDetails(ctx: Ctx, rec: RecordDoc, wf: WorkflowDef): Detail[] {
  const hook = wf.details ? ctx.reg.hooks.details?.[wf.details] : undefined;
  return hook ? hook({ record: rec, wf, office: ctx.office() }) : [];
}

/** A detail as `show` prints it: names (with notes) in the command's language, or its text; — when empty. */
export function detailText(ctx: Ctx, d: Detail): string {
  const office = ctx.office();
  const note = (n: string | undefined) => (n ? (ctx.lang === "zh-CN" ? `（${n}）` : ` (${n})`) : "");
  const parts = [
    ...(d.people ?? []).map((p) => `${nameOf(office, p.id)}${note(p.note)}`),
    ...(d.items ?? []).map((i) => `${i.label[ctx.lang]}${note(i.note)}`),
  ];
  if (d.text) parts.push(d.text[ctx.lang]);
  return parts.join(enumeration(ctx.lang)) || "—";
}

/** Details for `--json`: key -> people `[{ id, note? }]`, items `[{ item, note? }]`, or the text. */
function detailsJson(ctx: Ctx, ds: readonly Detail[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of ds)
    out[d.key] = d.text
      ? d.text[ctx.lang]
      : d.items
        ? d.items.map((i) => ({ item: i.label[ctx.lang], ...(i.note ? { note: i.note } : {}) }))
        : (d.people ?? []).map((p) => ({ id: p.id, ...(p.note ? { note: p.note } : {}) }));
  return out;
}

const coveredYears = new WeakMap<Ctx, { covers(year: number): boolean }>();

/** The years with a calendar file (the State Council's notice); asks only which files exist. */
function covered(ctx: Ctx): { covers(year: number): boolean } {
  let c = coveredYears.get(ctx);
  if (!c) {
    const years = new Set(ctx.reg.calendarYears());
    c = { covers: (y) => years.has(y) };
    coveredYears.set(ctx, c);
  }
  return c;
}

/**
 * The warning for deadlines among `dates` that fall in a year without the State Council's notice
 * (their days come from the provisional statutory calendar), in the command's language; undefined
 * when there are none.
 */
export function calendarWarning(ctx: Ctx, dates: readonly (string | null | undefined)[]): string | undefined {
  const years = provisionalYears(covered(ctx), dates);
  return years.length ? ctx.t("deadline.uncovered-years", { years: years.join(", ") }) : undefined;
}

/** A due date as listings show it: marked `(!)` in a year without the notice (calendarWarning). */
export function dueCell(ctx: Ctx, due: string | null): string {
  if (!due) return "";
  return covered(ctx).covers(yearOf(due)) ? due : `${due} (!)`;
}

/** A listed row with `calendar_warning` when its due date is in a year without the notice. */
export function withCalendarWarning<T extends { due: string | null; status?: string }>(
  ctx: Ctx,
  row: T,
): T | (T & { calendar_warning: string }) {
  const w = row.status === "closed" ? undefined : calendarWarning(ctx, [row.due]);
  return w ? { ...row, calendar_warning: w } : row;
}

/** After a listing: one warning on stderr that explains the `(!)` marks, if any row has one. */
export function warnProvisionalDues(ctx: Ctx, dues: readonly (string | null)[]): void {
  const w = calendarWarning(ctx, dues);
  if (w) ctx.say(`(!) ${w}`);
}

/** One line telling what an action did and where the record stands now. */
export function resultLine(ctx: Ctx, res: ActionResult, wf: WorkflowDef): string {
  const r = res.record;
  const office = ctx.office();
  if (r.status === "closed" && r.withdrawn && res.event.action === "withdraw")
    return ctx.t("action.withdrawn", { id: r.id, reason: r.withdrawn.reason });
  if (r.status === "closed") {
    return ctx.t("action.done-closed", { id: r.id, archive: r.archive ? ` ${r.archive.number}` : "" });
  }
  return ctx.t("action.done-open", {
    id: r.id,
    step: stepLabel(wf, r.step, ctx.lang),
    holders: r.holders.length ? namesOf(office, r.holders, ctx.lang) : ctx.t("show.nobody-yet"),
    due: r.due ?? "—",
  });
}

/**
 * What the action recorded, for the clerk to see it was taken down (issue 12): a note's text, whom
 * a reminder went to, the document number a `numbers` step gave, a withdrawal and its reason.
 * Empty for an action whose result line says it all.
 */
export function recordedLines(ctx: Ctx, res: ActionResult, wf: WorkflowDef): string[] {
  const { record: r, event: e } = res;
  const lines: string[] = [];
  if (e.action === "note") lines.push(ctx.t("action.noted", { id: r.id, text: e.note ?? "" }));
  if (e.action === "urge")
    lines.push(
      ctx.t("action.urged", {
        id: r.id,
        holders: e.to?.length ? namesOf(ctx.office(), e.to, ctx.lang) : ctx.t("show.nobody-yet"),
      }),
    );
  for (const [field, v] of Object.entries(e.changes ?? {}))
    if (wf.fields.find((f) => f.id === field)?.role === "doc-number")
      lines.push(ctx.t("action.numbered", { id: r.id, number: String(v) }));
  return lines;
}

/** Print the result of a write: JSON of the record with --json, else what was recorded and where it stands. */
export function printResult(ctx: Ctx, res: ActionResult, wf: WorkflowDef): number {
  if (ctx.json) {
    ctx.out(JSON.stringify(recordJson(res.record, wf, ctx), null, 2));
    return 0;
  }
  for (const line of recordedLines(ctx, res, wf)) ctx.out(line);
  ctx.out(resultLine(ctx, res, wf));
  return 0;
}

function plain(v: unknown): string {
  if (Array.isArray(v)) return v.join(", ");
  if (v === null || v === undefined) return "";
  return String(v);
}

/**
 * A field's value as people read it: enum values by their labels in the workflow (a kind words a
 * value its own way: a call's type `report` is 举报 where a document's type `report` is 报告), units
 * and people by name, booleans as yes/no, lists joined, a map as `NAME=VALUE` pairs, items one per
 * entry with their parts.
 */
export function fieldDisplay(ctx: Ctx, wf: WorkflowDef, field: string, v: unknown): string {
  const def = wf.fields.find((f) => f.id === field);
  return def ? valueDisplay(ctx, def, v) : plain(v);
}

const enumeration = (lang: Lang) => (lang === "zh-CN" ? "、" : ", ");

/** A value of a field definition as people read it (see fieldDisplay). */
export function valueDisplay(ctx: Ctx, def: FieldDef, v: unknown): string {
  if (v === undefined || v === null) return "";
  switch (def.type) {
    case "enum":
      return valueLabel(def, String(v), ctx.lang);
    case "boolean":
      return typeof v === "boolean" ? ctx.t(v ? "value.yes" : "value.no") : plain(v);
    case "map":
      return typeof v === "object" && !Array.isArray(v)
        ? Object.entries(v as Record<string, unknown>)
            .map(([k, x]) => `${k}=${plain(x)}`)
            .join(enumeration(ctx.lang))
        : plain(v);
    case "items":
      return Array.isArray(v)
        ? v
            .map((item) =>
              (def.item_fields ?? [])
                .map((sub) => valueDisplay(ctx, sub, (item as Record<string, unknown>)?.[sub.id]))
                .filter(Boolean)
                .join(" "),
            )
            .join("; ")
        : plain(v);
    default:
      if (def.type === "list" && Array.isArray(v) && def.refs)
        return namesOf(ctx.office(), v as string[], ctx.lang);
      if (def.ref && typeof v === "string") return nameOf(ctx.office(), v);
      if (Array.isArray(v)) return v.join(enumeration(ctx.lang));
      return plain(v);
  }
}

/**
 * What an event that revised fields changed (a revision, an amendment: it has `previous`), old value
 * to new, as people read them: `Figures: output 12.5 → 13, tax — → 3`; a map entry by entry, only
 * those that changed. Empty for other events.
 */
export function changesText(ctx: Ctx, wf: WorkflowDef, e: HistoryEvent): string {
  if (!e.changes || (!e.previous && e.action !== "revise")) return "";
  const sep = enumeration(ctx.lang);
  const shown = (def: FieldDef | undefined, v: unknown) =>
    v === undefined || v === null || v === "" ? "—" : def ? valueDisplay(ctx, def, v) : plain(v);
  const parts: string[] = [];
  for (const [k, now] of Object.entries(e.changes)) {
    const before = e.previous?.[k];
    if (k === "title") {
      parts.push(`${ctx.t("col.title")}: ${shown(undefined, before)} → ${shown(undefined, now)}`);
      continue;
    }
    const def = wf.fields.find((f) => f.id === k);
    const name = label(def?.label, ctx.lang, k);
    if (def?.type === "map" && typeof now === "object" && now !== null && !Array.isArray(now)) {
      const old = (typeof before === "object" && before !== null ? before : {}) as Record<string, unknown>;
      const cur = now as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(old), ...Object.keys(cur)])];
      const entries = keys
        .filter((x) => JSON.stringify(old[x]) !== JSON.stringify(cur[x]))
        .map((x) => `${x} ${shown(undefined, old[x])} → ${shown(undefined, cur[x])}`);
      if (entries.length) parts.push(`${name}: ${entries.join(sep)}`);
    } else parts.push(`${name}: ${shown(def, before)} → ${shown(def, now)}`);
  }
  return parts.join("; ");
}

/** A record's classification as listings show it (`机密`, `confidential`), empty when not classified. */
export function classificationWord(
  wf: WorkflowDef | undefined,
  value: string | undefined,
  lang: Lang,
): string {
  if (!value || value === UNCLASSIFIED) return "";
  return valueLabel(wf ? fieldByRole(wf, "classification") : undefined, value, lang);
}
