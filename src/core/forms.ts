import { chineseDate, officeDate } from "./dates.js";
import type { OfficeConfig, RecordDoc } from "./model.js";

/**
 * Printable forms: a template with `{{key}}` placeholders; a line that starts with `{{#key}}` is kept
 * only when `key` has a value. Values are escaped by the caller's `escapeValue` (HTML) or kept (Markdown).
 */
export function fillForm(
  template: string,
  data: Record<string, string>,
  escapeValue: (value: string, line: string) => string = (v) => v,
): string {
  const out: string[] = [];
  for (const line of template.split("\n")) {
    const cond = /^\{\{#([a-z0-9_]+)\}\}/.exec(line);
    if (cond && !data[cond[1] as string]) continue;
    const body = cond ? line.slice(cond[0].length) : line;
    out.push(body.replace(/\{\{([a-z0-9_]+)\}\}/g, (_, k: string) => escapeValue(data[k] ?? "", body)));
  }
  return out.join("\n");
}

const CLASSIFICATION_ZH: Record<string, string> = {
  secret: "秘密",
  confidential: "机密",
  "top-secret": "绝密",
};
const URGENCY_ZH: Record<string, string> = { urgent: "加急", "extra-urgent": "特急" };
/** Upward documents carry the names of their signers (签发人). */
const UPWARD_TYPES = new Set(["request", "report"]);

const str = (v: unknown) =>
  v === undefined || v === null ? "" : Array.isArray(v) ? v.join("、") : String(v);
const personName = (office: OfficeConfig, id: string | undefined) =>
  office.people.find((p) => p.id === id)?.name ?? id ?? "";
const unitName = (office: OfficeConfig, id: unknown) =>
  office.units.find((u) => u.id === id)?.name ?? office.people.find((p) => p.id === id)?.name ?? str(id);

/** `机密★1年` (GB/T 9704): the classification and its term. */
export function classificationMark(classification: unknown, term: unknown): string {
  const c = CLASSIFICATION_ZH[str(classification)];
  if (!c) return "";
  return term ? `${c}★${str(term)}` : c;
}

/** The last signer of a step (the issuer of an outgoing document). */
export function signerOf(
  rec: RecordDoc,
  step: string,
): { actor: string; at: string; opinion?: string } | undefined {
  for (let i = rec.history.length - 1; i >= 0; i--) {
    const e = rec.history[i];
    if (e && e.step === step && (e.action === "sign" || e.action === "file") && e.decision !== "return")
      return e;
  }
  return undefined;
}

/** The front matter of an outgoing document (GB/T 9704 elements), ready for its form. */
export function outgoingForm(rec: RecordDoc, office: OfficeConfig, copy: number): Record<string, string> {
  const f = rec.fields;
  const issued = signerOf(rec, "issue");
  const printed = typeof f.printed_on === "string" ? f.printed_on : undefined;
  const classified = CLASSIFICATION_ZH[str(f.classification)] !== undefined;
  const copies = typeof f.copies === "number" ? f.copies : 0;
  const distribution = [
    ...((f.recipients as string[] | undefined) ?? []).map((r) => `主送　${r}`),
    ...((f.cc as string[] | undefined) ?? []).map((r) => `抄送　${r}`),
  ];
  return {
    id: rec.id,
    copy_no: classified ? String(copy).padStart(6, "0") : "",
    classification: classificationMark(f.classification, f.secrecy_term),
    urgency: URGENCY_ZH[str(f.urgency)] ?? "",
    issuer_mark: office.issuer_marks[str(f.category)] ?? `${office.name}文件`,
    doc_number: str(f.doc_number) || "（未编号）",
    signers: UPWARD_TYPES.has(str(f.type)) && issued ? personName(office, issued.actor) : "",
    title: rec.title,
    recipients: str(f.recipients),
    issuer: office.name,
    date_written: typeof f.date_written === "string" ? chineseDate(f.date_written) : "",
    cc: Array.isArray(f.cc) && f.cc.length ? (f.cc as string[]).join("，") : "",
    printed_by: office.printed_by,
    printed_on: printed ? `${chineseDate(printed)}印发` : "",
    copies: copies ? String(copies) : "",
    drafting_unit: unitName(office, f.unit),
    distribution: distribution.map((d, i) => `${i + 1}. ${d}`).join("\n"),
  };
}

/** The transfer form (交办单) of a call: caller, matter, instruction, receiving unit, deadline. */
export function callForm(
  rec: RecordDoc,
  office: OfficeConfig,
  display: (field: string, v: unknown) => string,
): Record<string, string> {
  const f = rec.fields;
  const instruct = signerOf(rec, "instruct");
  // The responsible unit; else whom the matter was transferred to (not whom a reminder went to).
  const routed = [...rec.history]
    .reverse()
    .find((e) => (e.action === "route" || e.action === "sign") && e.to?.length && e.decision !== "return");
  const units = f.unit ? [String(f.unit)] : (routed?.to ?? []);
  return {
    id: rec.id,
    office: office.name,
    registered: chineseDate(rec.created.slice(0, 10)),
    caller: str(f.caller),
    phone: str(f.phone),
    address: str(f.address),
    channel: display("channel", f.channel),
    type: display("type", f.type),
    matter: rec.title,
    instruction: instruct?.opinion ?? "",
    instructed_by: instruct ? personName(office, instruct.actor) : "",
    unit: units.map((u) => unitName(office, u)).join("、"),
    deadline: rec.deadline ? chineseDate(rec.deadline) : "",
  };
}

/**
 * One signature as forms print it: the opinion (a bare signature reads 已阅), the signer's name and
 * the date in Chinese (2026年3月5日), separated by ideographic spaces.
 */
export function signatureLine(
  e: { opinion?: string; actor: string; at: string },
  office: OfficeConfig,
): string {
  return `${e.opinion ?? "已阅"}　${personName(office, e.actor)}　${chineseDate(officeDate(Date.parse(e.at), office.timezone))}`;
}

/** The handling slip (公文处理笺) of an incoming document, for print. */
export function incomingForm(rec: RecordDoc, office: OfficeConfig, tz: string): Record<string, string> {
  const f = rec.fields;
  const step = (id: string) => {
    const events = rec.history.filter((e) => e.step === id && e.action === "sign" && e.decision !== "return");
    return events
      .map(
        (e) =>
          `${e.opinion ?? "已阅"}　${personName(office, e.actor)}　${chineseDate(officeDate(Date.parse(e.at), tz))}`,
      )
      .join("\n");
  };
  const undertakers = [...rec.history].reverse().find((e) => e.step === "instruct" && e.to?.length)?.to ?? [];
  return {
    id: rec.id,
    office: office.name,
    from: str(f.from),
    doc_number: str(f.doc_number),
    received: chineseDate(rec.created.slice(0, 10)),
    classification: classificationMark(f.classification, f.secrecy_term),
    urgency: URGENCY_ZH[str(f.urgency)] ?? "",
    title: rec.title,
    pages: str(f.pages),
    propose: step("propose"),
    instruct: step("instruct"),
    undertakers: undertakers.map((u) => unitName(office, u)).join("、"),
    undertake: step("undertake"),
    feedback: step("feedback"),
    circulate: step("circulate"),
    archive: rec.archive?.number ?? "",
  };
}
