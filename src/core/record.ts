import { isInstant, isIsoDate } from "./dates.js";
import { isDecimal, normalizeDecimal } from "./decimal.js";
import { isCanonicalId } from "./ids.js";
import type { HistoryEvent, OfficeConfig, RecordDoc, RecordSummary } from "./model.js";
import { fixDocNumber, parseDocNumber } from "./numbering.js";
import type { Problem } from "./problems.js";
import { isMap, type Raw } from "./raw.js";
import { MAX_LINE_CHARS, MAX_TEXT_CHARS, multiLineProblem, singleLineProblem } from "./text.js";
import {
  type FieldDef,
  type FieldRole,
  fieldByRole,
  NOT_URGENT,
  supervisionFields,
  UNCLASSIFIED,
  type WorkflowDef,
} from "./workflow.js";

const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;
/** Mainland mobile (1[3-9]x, 11 digits) or landline with area code (0xx-xxxxxxx[x]), optional extension. */
export const PHONE_RE = /^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$/;
// Chinese characters in patterns are written as \u escapes: esbuild writes strings as ASCII escapes
// but leaves regular-expression literals as they are, and a single non-ASCII character makes node
// decode the whole bundle as UTF-8 and V8 hold it as a two-byte string at every start
// (scripts/build.mjs refuses such a bundle).
/** What separates the items of a list typed on the command line: ASCII or Chinese commas (，、). */
export const LIST_SEPARATOR = /[,\uff0c\u3001]/;
/** Spaces and brackets, ASCII or full-width (（）), that people type in phone numbers. */
const PHONE_NOISE = /[\s()\uff08\uff09]/g;
/** Between the key and the value of a map entry typed on the command line (`gdp=12.5`). */
const ENTRY_SEPARATOR = /[=\uff1d]/;
/** Between the parts of an item typed on the command line (`zhang-san:病假`), ASCII or full-width. */
const ITEM_SEPARATOR = /[:\uff1a]/;
/** Keys of map fields: names like indicator ids. */
const MAP_KEY_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Why `text` cannot be kept as one line (`multiline` false: a title, an issuer, a name, a document
 * number; at most MAX_LINE_CHARS characters, no line break or control character) or as free text
 * (`multiline`: opinions, notes, a field marked `multiline: true`; at most MAX_TEXT_CHARS, line feeds
 * and tabs allowed): a catalogue code and its parameters (`pos` counts characters from 1), or
 * undefined when it can. Issue 12: a title with line breaks forged commit trailers, a 100 KB title
 * made listings take half a minute.
 */
export function textProblem(
  text: string,
  multiline = false,
): { code: Problem["code"]; params: Problem["params"] } | undefined {
  const p = multiline ? multiLineProblem(text, MAX_TEXT_CHARS) : singleLineProblem(text, MAX_LINE_CHARS);
  if (!p) return undefined;
  if (p.problem === "too-long") return { code: "field.too-long", params: { length: p.length, max: p.max } };
  return {
    code: p.problem === "line-break" ? "field.line-break" : "field.control-char",
    params: { char: p.char, pos: Array.from(text.slice(0, p.index)).length + 1 },
  };
}

/**
 * Turn a value typed on the command line into the field's type. Returns the value, or a problem
 * code when the text does not fit (the CLI reports it with exit 2).
 */
export function coerceField(def: FieldDef, text: string): { value?: unknown; problem?: Problem } {
  const bad = (code: Problem["code"], extra: Problem["params"] = {}) => ({
    problem: { path: ["fields", def.id], code, params: { field: def.id, value: text, ...extra } },
  });
  const t = text.trim();
  switch (def.type) {
    case "text": {
      if (t === "") return bad("field.empty");
      const p = textProblem(t, def.multiline === true);
      return p ? bad(p.code, p.params) : { value: t };
    }
    case "integer":
      return /^\d+$/.test(t) ? { value: Number(t) } : bad("field.not-integer");
    case "decimal": {
      const d = normalizeDecimal(t);
      return d === undefined ? bad("field.not-decimal") : { value: d };
    }
    case "map":
      return coerceFieldValues(def, [text]);
    case "items":
      return coerceFieldValues(def, [text]);
    case "enum":
      return def.values?.includes(t)
        ? { value: t }
        : bad("field.bad-enum", { values: (def.values ?? []).join(", ") });
    case "date":
      return isIsoDate(t) ? { value: t } : bad("field.bad-date");
    case "datetime":
      return isInstant(t) ? { value: t } : bad("field.bad-datetime");
    case "month":
      return MONTH_RE.test(t) ? { value: t } : bad("field.bad-month");
    case "list": {
      const items = t
        .split(LIST_SEPARATOR)
        .map((s) => s.trim())
        .filter(Boolean);
      for (const item of items) {
        const p = textProblem(item);
        if (p) return bad(p.code, p.params);
      }
      return items.length ? { value: items } : bad("field.empty");
    }
    case "boolean":
      return /^(true|yes|1)$/i.test(t)
        ? { value: true }
        : /^(false|no|0)$/i.test(t)
          ? { value: false }
          : bad("field.bad-boolean");
    case "phone": {
      // People write 138 1234 5678, 138-1234-5678, (010) 6234-5678: keep the digits, with a hyphen
      // after the area code (3 digits for 010 and 02x, 4 for the others) and before an extension.
      const p = t.replace(PHONE_NOISE, "");
      const digits = p.replace(/-/g, "");
      if (/^1[3-9]\d{9}$/.test(digits)) return { value: digits };
      const parts = p.split("-");
      const areaLen = /^0[12]/.test(digits) ? 3 : 4;
      const area = digits.slice(0, areaLen);
      const local =
        parts.length === 3
          ? (parts[1] ?? "")
          : parts.length === 2 && parts[0] === area
            ? (parts[1] ?? "")
            : digits.slice(areaLen);
      const ext = parts.length === 3 ? parts[2] : undefined;
      const value = `${area}-${local}${ext ? `-${ext}` : ""}`;
      if (/^0\d{2,3}$/.test(area) && /^\d{7,8}$/.test(local) && (!ext || /^\d{1,6}$/.test(ext)))
        return { value };
      return bad("field.bad-phone");
    }
  }
}

/**
 * The value of a field given on the command line once or more: a `map` field merges `KEY=VALUE`
 * entries (`--value gdp=12.5 --value tax=3`, or `gdp=12.5,tax=3` in one), an `items` field takes one
 * item per text, its parts separated by colons in the order of its item fields (`--absent
 * zhang-san:病假`; the last part keeps any further colons); any other field takes the last text.
 */
export function coerceFieldValues(
  def: FieldDef,
  texts: readonly string[],
): { value?: unknown; problem?: Problem } {
  const bad = (text: string, code: Problem["code"], extra: Problem["params"] = {}) => ({
    problem: { path: ["fields", def.id], code, params: { field: def.id, value: text, ...extra } },
  });
  if (def.type === "map") {
    const out: Record<string, unknown> = {};
    for (const text of texts)
      for (const entry of text
        .split(LIST_SEPARATOR)
        .map((x) => x.trim())
        .filter(Boolean)) {
        const at = entry.search(ENTRY_SEPARATOR);
        const key = at < 0 ? "" : entry.slice(0, at).trim();
        if (!MAP_KEY_RE.test(key)) return bad(entry, "field.bad-entry");
        if (def.keys && !def.keys.includes(key))
          return bad(entry, "field.bad-key", { values: def.keys.join(", ") });
        const { value, problem } = coerceField(
          { ...def, id: def.id, type: def.of ?? "decimal" },
          entry.slice(at + 1),
        );
        if (problem) return { problem: { ...problem, params: { ...problem.params, value: entry } } };
        out[key] = value;
      }
    return Object.keys(out).length ? { value: out } : bad(texts.join(" "), "field.empty");
  }
  if (def.type === "items") {
    const parts = def.item_fields ?? [];
    const items: Record<string, unknown>[] = [];
    for (const text of texts) {
      const item: Record<string, unknown> = {};
      let rest = text.trim();
      for (const [i, sub] of parts.entries()) {
        const at = i === parts.length - 1 ? -1 : rest.search(ITEM_SEPARATOR);
        const part = (at < 0 ? rest : rest.slice(0, at)).trim();
        rest = at < 0 ? "" : rest.slice(at + 1);
        if (part === "") {
          if (sub.required) return bad(text, "field.item-part-missing", { part: sub.id });
          continue;
        }
        const { value, problem } = coerceField(sub, part);
        if (problem) return { problem: { ...problem, params: { ...problem.params, value: text } } };
        item[sub.id] = value;
      }
      items.push(item);
    }
    return items.length ? { value: items } : bad("", "field.empty");
  }
  return coerceField(def, texts[texts.length - 1] ?? "");
}

function checkFieldValue(def: FieldDef, v: unknown, office: OfficeConfig): Problem["code"] | undefined {
  switch (def.type) {
    case "decimal":
      return isDecimal(v) ? undefined : "field.not-decimal";
    case "map": {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return "field.not-a-map";
      const sub = { ...def, type: def.of ?? "decimal" } as FieldDef;
      for (const [k, x] of Object.entries(v)) {
        if (!MAP_KEY_RE.test(k) || (def.keys && !def.keys.includes(k))) return "field.bad-key";
        const code = checkFieldValue(sub, x, office);
        if (code) return code;
      }
      return undefined;
    }
    case "items": {
      if (!Array.isArray(v)) return "field.not-a-list";
      for (const item of v) {
        if (typeof item !== "object" || item === null || Array.isArray(item)) return "field.not-a-map";
        for (const sub of def.item_fields ?? []) {
          const x = (item as Record<string, unknown>)[sub.id];
          if (x === undefined || x === null || x === "") {
            if (sub.required) return "field.required";
            continue;
          }
          const code = checkFieldValue(sub, x, office);
          if (code) return code;
        }
      }
      return undefined;
    }
    case "integer":
      return Number.isInteger(v) ? undefined : "field.not-integer";
    case "enum":
      return def.values?.includes(String(v)) ? undefined : "field.bad-enum";
    case "date":
      return typeof v === "string" && isIsoDate(v) ? undefined : "field.bad-date";
    case "datetime":
      return typeof v === "string" && isInstant(v) ? undefined : "field.bad-datetime";
    case "month":
      return typeof v === "string" && MONTH_RE.test(v) ? undefined : "field.bad-month";
    case "boolean":
      return typeof v === "boolean" ? undefined : "field.bad-boolean";
    case "phone":
      return typeof v === "string" && PHONE_RE.test(v) ? undefined : "field.bad-phone";
    case "list": {
      if (!Array.isArray(v)) return "field.not-a-list";
      if (def.refs) {
        const ok = (x: unknown) =>
          (def.refs !== "person" && office.units.some((u) => u.id === x)) ||
          (def.refs !== "unit" && office.people.some((p) => p.id === x));
        if (!v.every(ok)) return "field.unknown-ref";
      }
      return undefined;
    }
    case "text":
      if (typeof v !== "string" && typeof v !== "number") return "field.not-text";
      if (def.ref === "unit" && !office.units.some((u) => u.id === v)) return "field.unknown-ref";
      if (def.ref === "person" && !office.people.some((p) => p.id === v)) return "field.unknown-ref";
      return undefined;
  }
}

/** An official document number (GB/T 9704): marked `format: doc-number`, or the field a step numbers. */
function isDocNumberField(def: FieldDef, wf: WorkflowDef): boolean {
  return def.format === "doc-number" || wf.steps.some((s) => s.numbers?.field === def.id);
}

/**
 * Validate the fields of a record against its workflow. A document number not of the form
 * `<机关代字>〔YYYY〕N号` is a warning, or an error in the field a step numbers.
 */
export function validateFields(
  fields: Raw,
  wf: WorkflowDef,
  office: OfficeConfig,
  path: (string | number)[] = ["fields"],
): Problem[] {
  const problems: Problem[] = [];
  for (const def of wf.fields) {
    const v = fields[def.id];
    if (v === undefined || v === null || v === "") {
      if (def.required) problems.push({ path: [...path], code: "field.required", params: { field: def.id } });
      continue;
    }
    const code = checkFieldValue(def, v, office);
    if (code)
      problems.push({
        path: [...path, def.id],
        code,
        params: {
          field: def.id,
          option: `--${def.option}`,
          value: Array.isArray(v) ? v.map(shortText).join(",") : shortText(v),
          values: (def.values ?? def.keys ?? []).join(", "),
        },
      });
    else if (isDocNumberField(def, wf) && typeof v === "string" && !parseDocNumber(v)) {
      const fixed = fixDocNumber(v);
      problems.push({
        path: [...path, def.id],
        code: fixed ? "field.bad-doc-number-fix" : "field.bad-doc-number",
        params: { field: def.id, value: v, ...(fixed ? { fixed } : {}) },
        // The number a step gives is office-doc's own: another form there is a hand edit.
        ...(wf.steps.some((s) => s.numbers?.field === def.id) ? {} : { warning: true }),
      });
    }
  }
  const cls = classificationOf(fields, wf);
  if (cls !== undefined)
    for (const def of wf.fields)
      if (def.not_if_classified && fields[def.id] !== undefined && fields[def.id] !== null)
        problems.push({
          path: [...path, def.id],
          code: "field.classified-forbids",
          params: { option: def.id, classification: cls },
        });
  for (const k of Object.keys(fields)) {
    if (!wf.fields.some((f) => f.id === k))
      problems.push({ path: [...path, k], code: "field.unknown", params: { field: k }, warning: true });
  }
  return problems;
}

const shortText = (v: unknown): string =>
  typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);

/**
 * A title made by a workflow's `title.template` from the record's fields: each `{field}` is the
 * field's value as people read it in Chinese (the language of the records): a unit's or person's
 * name, an enum value's label; a field without a value leaves nothing. Runs of spaces left are one.
 */
export function titleFromTemplate(
  template: string,
  fields: Raw,
  wf: WorkflowDef,
  office: OfficeConfig,
): string {
  return template
    .replace(/\{([^}]*)\}/g, (_, id: string) => {
      const def = wf.fields.find((f) => f.id === id);
      const v = fields[id];
      if (v === undefined || v === null) return "";
      if (typeof v === "string" && def?.ref === "unit")
        return office.units.find((u) => u.id === v)?.name ?? v;
      if (typeof v === "string" && def?.ref === "person")
        return office.people.find((x) => x.id === v)?.name ?? v;
      if (def?.type === "enum") return def.value_labels?.[String(v)]?.["zh-CN"] ?? String(v);
      return Array.isArray(v) ? v.join("\u3001") : typeof v === "object" ? "" : String(v);
    })
    .replace(/ {2,}/g, " ")
    .trim();
}

/** The value of the field that plays `role`, when it is a non-empty string. */
export function roleValue(fields: Raw, wf: WorkflowDef | undefined, role: FieldRole): string | undefined {
  const def = wf ? fieldByRole(wf, role) : undefined;
  const v = def ? fields[def.id] : undefined;
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The record's classification when it is classified (its classification field other than none). */
export function classificationOf(fields: Raw, wf: WorkflowDef | undefined): string | undefined {
  const c = roleValue(fields, wf, "classification");
  return c !== undefined && c !== UNCLASSIFIED ? c : undefined;
}

const personKnown = (office: OfficeConfig, id: unknown) => office.people.some((p) => p.id === id);
const unitKnown = (office: OfficeConfig, id: unknown) => office.units.some((u) => u.id === id);

/**
 * Validate a parsed record file: its shape, its fields against the workflow, and that every person
 * it names exists. `expectedId` comes from the file name. Never throws.
 */
export function validateRecord(
  raw: unknown,
  wf: WorkflowDef,
  office: OfficeConfig,
  expectedId: string,
): Problem[] {
  const problems: Problem[] = [];
  const p = (path: (string | number)[], code: Problem["code"], params: Problem["params"] = {}) =>
    problems.push({ path, code, params });
  if (!isMap(raw)) {
    p([], "record.not-a-map");
    return problems;
  }
  if (raw.id !== expectedId) p(["id"], "record.id-mismatch", { id: String(raw.id), expected: expectedId });
  else if (!isCanonicalId(String(raw.id))) p(["id"], "record.bad-id", { id: String(raw.id) });
  if (raw.kind !== wf.kind)
    p(["kind"], "record.kind-mismatch", { kind: String(raw.kind), expected: wf.kind });
  if (typeof raw.title !== "string" || raw.title.trim() === "") p(["title"], "record.no-title");
  if (raw.status !== "open" && raw.status !== "closed")
    p(["status"], "record.bad-status", { status: String(raw.status) });
  if (raw.status === "open" && !wf.steps.some((s) => s.id === raw.step))
    p(["step"], "record.unknown-step", { step: String(raw.step) });
  if (raw.status === "closed" && raw.step !== null)
    p(["step"], "record.closed-with-step", { step: String(raw.step) });
  // Dates and instants must be real: a hand-typed 2026-02-30 or 25:00 is named, not read as March.
  const date = (path: (string | number)[], v: unknown) => {
    if (v === null || v === undefined) return;
    if (!(typeof v === "string" && isIsoDate(v)))
      p(path, "record.bad-date", { key: String(path[path.length - 1]), value: String(v) });
  };
  const instant = (path: (string | number)[], v: unknown, optional = false) => {
    if ((v === null || v === undefined) && optional) return;
    if (!(typeof v === "string" && isInstant(v)))
      p(path, "record.bad-instant", { key: String(path[path.length - 1]), value: String(v) });
  };
  // Holders and routed holders are people or units of the office (a unit holds a routed step).
  const refs = (key: string, v: unknown) => {
    if (!Array.isArray(v)) return p([key], "record.not-a-list", { key });
    v.forEach((x, i) => {
      if (!personKnown(office, x) && !unitKnown(office, x))
        p([key, i], "record.unknown-ref", { key, value: String(x) });
    });
  };
  refs("holders", raw.holders);
  if (raw.routed !== undefined) refs("routed", raw.routed);
  for (const k of ["due", "deadline", "step_extended_until", "deadline_extended_until"] as const)
    date([k], raw[k]);
  instant(["created"], raw.created);
  instant(["step_started"], raw.step_started, true);
  instant(["round_started"], raw.round_started, true);
  if (isMap(raw.archive)) instant(["archive", "filed_at"], raw.archive.filed_at);
  if (isMap(raw.withdrawn)) instant(["withdrawn", "at"], raw.withdrawn.at);
  if (!isMap(raw.fields)) p(["fields"], "record.no-fields");
  else problems.push(...validateFields(raw.fields, wf, office));
  if (!Array.isArray(raw.history) || raw.history.length === 0) p(["history"], "record.no-history");
  else
    raw.history.forEach((e, i) => {
      if (!isMap(e) || typeof e.action !== "string") return p(["history", i], "record.bad-event");
      instant(["history", i, "at"], e.at);
      date(["history", i, "until"], e.until);
      date(["history", i, "due"], e.due);
      for (const k of ["actor", "recorded_by", "approved_by"] as const) {
        if (k === "approved_by" && e[k] === undefined) continue;
        if (!personKnown(office, e[k]))
          p(["history", i, k], "record.unknown-person", { person: String(e[k]) });
      }
      if (e.step !== undefined && !wf.steps.some((s) => s.id === e.step))
        p(["history", i, "step"], "record.unknown-step", { step: String(e.step) });
      // Those a step was routed to, or who were urged: people or units. A return names a step and a
      // merge a record in `to`.
      const routes =
        e.action === "route" || e.action === "urge" || (e.action === "sign" && e.decision !== "return");
      if (routes && Array.isArray(e.to))
        e.to.forEach((x, j) => {
          if (!personKnown(office, x) && !unitKnown(office, x))
            p(["history", i, "to", j], "record.unknown-ref", { key: "to", value: String(x) });
        });
    });
  if (Array.isArray(raw.signatures))
    raw.signatures.forEach((s, i) => {
      if (!isMap(s) || !personKnown(office, s.by))
        p(["signatures", i], "record.unknown-person", { person: isMap(s) ? String(s.by) : "" });
      else instant(["signatures", i, "at"], s.at);
    });
  return problems;
}

/** A record with its keys in the stable order we write them (fields in workflow order). */
export function orderedRecord(rec: RecordDoc, wf: WorkflowDef): Raw {
  const fields: Raw = {};
  for (const f of wf.fields) if (rec.fields[f.id] !== undefined) fields[f.id] = rec.fields[f.id];
  for (const [k, v] of Object.entries(rec.fields)) if (!(k in fields) && v !== undefined) fields[k] = v;
  const out: Raw = {
    id: rec.id,
    kind: rec.kind,
    title: rec.title,
    status: rec.status,
    step: rec.step,
    holders: rec.holders,
    due: rec.due,
    deadline: rec.deadline,
    created: rec.created,
    fields,
    step_started: rec.step_started,
    ...(rec.round_started ? { round_started: rec.round_started } : {}),
    routed: rec.routed,
    signatures: rec.signatures,
  };
  if (rec.step_extended_until) out.step_extended_until = rec.step_extended_until;
  if (rec.deadline_extended_until) out.deadline_extended_until = rec.deadline_extended_until;
  if (rec.archive) out.archive = rec.archive;
  if (rec.withdrawn) out.withdrawn = rec.withdrawn;
  if (rec.merged_into) out.merged_into = rec.merged_into;
  out.history = rec.history.map(orderedEvent);
  return out;
}

const EVENT_ORDER: (keyof HistoryEvent)[] = [
  "action",
  "at",
  "actor",
  "recorded_by",
  "step",
  "decision",
  "opinion",
  "to",
  "reason",
  "note",
  "until",
  "approved_by",
  "caller_informed",
  "due",
  "changes",
  "previous",
  "fixes",
];

function orderedEvent(e: HistoryEvent): Raw {
  const out: Raw = {};
  for (const k of EVENT_ORDER) if (e[k] !== undefined) out[k] = e[k];
  for (const [k, v] of Object.entries(e)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}

/** Fill defaults a hand-written record may leave out, so the engine can work on it. */
export function normalizeRecord(raw: Raw): RecordDoc {
  return {
    ...(raw as unknown as RecordDoc),
    holders: Array.isArray(raw.holders) ? (raw.holders as string[]) : [],
    routed: Array.isArray(raw.routed) ? (raw.routed as string[]) : [],
    signatures: Array.isArray(raw.signatures) ? (raw.signatures as RecordDoc["signatures"]) : [],
    due: (raw.due as string | null | undefined) ?? null,
    deadline: (raw.deadline as string | null | undefined) ?? null,
    step: (raw.step as string | null | undefined) ?? null,
    step_started: (raw.step_started as string | null | undefined) ?? null,
    fields: isMap(raw.fields) ? raw.fields : {},
    history: Array.isArray(raw.history) ? (raw.history as HistoryEvent[]) : [],
  };
}

/** The index summary of a record. */
export function summarize(rec: RecordDoc, wf: WorkflowDef | undefined): RecordSummary {
  const s: RecordSummary = {
    id: rec.id,
    kind: rec.kind,
    title: rec.title,
    status: rec.status,
    step: rec.step,
    holders: rec.holders,
    due: rec.due,
    created: rec.created,
    updated: rec.history[rec.history.length - 1]?.at ?? rec.created,
  };
  const f = rec.fields;
  const unit = roleValue(f, wf, "responsible-unit");
  if (unit !== undefined) s.unit = unit;
  const cls = classificationOf(f, wf);
  if (cls !== undefined) s.classification = cls;
  const urgency = roleValue(f, wf, "urgency");
  if (urgency !== undefined && urgency !== NOT_URGENT) s.urgency = urgency;
  if (rec.archive) s.archive = rec.archive.number;
  if (rec.status === "closed") s.closed = s.updated;
  s.on_time = rec.history.every((e) => !e.due || e.at.slice(0, 10) <= e.due);
  const extra: Record<string, string> = {};
  // The supervision ledger decides from the index whether a step is supervised for this record.
  const supervision = wf ? supervisionFields(wf) : [];
  for (const def of wf?.fields ?? []) {
    const v = f[def.id];
    if (v === undefined || v === null) continue;
    // Listed fields, and what allocation, duplicates and revisions look up in the index.
    const ownSlot =
      def.role === "responsible-unit" || def.role === "classification" || def.role === "urgency";
    const kept =
      ((def.summary || def.role === "doc-number" || def.role === "contact-phone") && !ownSlot) ||
      (wf?.upsert_key?.includes(def.id) ?? false) ||
      supervision.includes(def.id);
    if (kept)
      extra[def.id] = Array.isArray(v)
        ? v.map(shortText).join(",")
        : typeof v === "object"
          ? JSON.stringify(v)
          : String(v);
  }
  if (Object.keys(extra).length) s.extra = extra;
  return s;
}
