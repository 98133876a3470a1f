import type { Label } from "./model.js";
import { isMap, type Raw } from "./raw.js";

/**
 * Format 1 of the workflow files (office-doc 0.1, no `format:` key) to format 2. Format 1 kept value
 * labels and help texts in the program's catalogues and left the command line of each kind to code;
 * format 2 says it all in the file. The same edits serve two purposes: a format-1 file is upgraded in
 * memory when it is loaded (so registries in the field keep working as they did), and `office-doc
 * upgrade` writes them into the file through the YAML document, keeping its comments.
 *
 * What the edits add, always only for fields and steps the file has:
 * - `format: 2`;
 * - labels beside enum values, for the values office-doc 0.1 had words for;
 * - roles for the fields 0.1 treated specially by their ids: `classification`, `urgency`, `unit`
 *   (the responsible unit) in every kind; a call's `phone` (earlier calls from it are listed), an
 *   outgoing document's `recipients` and `cc` (the e-gov scope);
 * - what 0.1's code did per kind: a call's title is typed as `--matter`, its reply step sets the
 *   answer (`--via` for reply_via, `--reply-via` too) and an important call prints its transfer form; the printable
 *   forms of the three kinds; `egov send` for outgoing documents;
 * - the help texts of the create and step commands, the words of the create actions in history;
 * - an incoming document's number checked for the form of document numbers (`format: doc-number`).
 */

/** One change: set `value` at `path` (a new key is added, an existing one replaced). */
export interface Edit {
  path: (string | number)[];
  value: unknown;
}

const L = (en: string, zh: string): Label => ({ en, "zh-CN": zh });

/** The words office-doc 0.1's catalogues had for enum values (`value.<id>`). */
const VALUE_LABELS: Record<string, Label> = {
  normal: L("normal", "普通"),
  urgent: L("urgent", "加急"),
  "extra-urgent": L("extra urgent", "特急"),
  none: L("none", "非密"),
  secret: L("secret", "秘密"),
  confidential: L("confidential", "机密"),
  "top-secret": L("top secret", "绝密"),
  paper: L("paper", "纸质"),
  egov: L("e-gov", "电子政务"),
  fax: L("fax", "传真"),
  resolution: L("resolution", "决议"),
  decision: L("decision", "决定"),
  order: L("order", "命令"),
  communique: L("communique", "公报"),
  announcement: L("announcement", "公告"),
  public_notice: L("public notice", "通告"),
  opinion: L("opinion", "意见"),
  notice: L("notice", "通知"),
  bulletin: L("bulletin", "通报"),
  report: L("report", "报告"),
  request: L("request", "请示"),
  reply: L("reply", "批复"),
  motion: L("motion", "议案"),
  letter: L("letter", "函"),
  minutes: L("minutes", "纪要"),
  dissatisfied: L("dissatisfied", "不满意"),
  "basically-satisfied": L("basically satisfied", "基本满意"),
  satisfied: L("satisfied", "满意"),
  complex: L("complex", "复杂（15个工作日）"),
  ordinary: L("ordinary", "一般（2个工作日）"),
  immediate: L("immediate", "即办（当日）"),
  suggestion: L("suggestion", "建议"),
  complaint: L("complaint", "投诉"),
  help: L("help", "求助"),
  consultation: L("consultation", "咨询"),
  visit: L("visit", "来访"),
  phone: L("phone", "电话"),
  "party-government-office": L("party and government office", "党政办公室发文"),
  office: L("office", "办事处发文"),
  "party-committee": L("party committee", "党工委发文"),
};
/** … and the words one kind had for a value of one field (`value.<kind>.<field>.<id>`). */
const KIND_VALUE_LABELS: Record<string, Label> = {
  "call.type.report": L("report of wrongdoing", "举报"),
  // 0.1 showed a call's channel and how it was answered with the words of documents (a letter as a document type).
  "call.channel.phone": L("phone", "来电"),
  "call.channel.letter": L("letter", "来信"),
  "call.reply_via.visit": L("in person", "面谈"),
  "call.reply_via.letter": L("in writing", "书面"),
};

/** The help texts of 0.1's create and step commands. */
const CREATE_HELP: Record<string, Label> = {
  incoming: L("register an incoming document (收文登记)", "收文登记"),
  outgoing: L("register a draft outgoing document (发文拟稿)", "登记发文拟稿"),
  call: L("register a citizen call, visit or letter (来电来访登记)", "登记群众来电、来访、来信"),
};
/** The words 0.1's catalogues had for the create actions in history and `log`. */
const CREATE_LABEL: Record<string, Label> = {
  incoming: L("receive", "登记"),
  outgoing: L("draft", "拟稿"),
  call: L("call", "来电登记"),
};
const STEP_HELP: Record<string, Label> = {
  "incoming.propose": L("proposal (拟办)", "拟办"),
  "incoming.instruct": L(
    "the party secretary's instruction (批示); --to names the undertakers",
    "党工委书记批示；--to 指定承办单位",
  ),
  "incoming.undertake": L(
    "undertaking (承办): report done, or --to names the undertakers",
    "承办：报告办结，或用 --to 指定承办单位",
  ),
  "incoming.feedback": L("feedback to the leaders (反馈)", "向领导反馈"),
  "incoming.circulate": L(
    "circulation (传阅): --to names the readers, each reader signs",
    "传阅：--to 指定传阅人，每位传阅人分别签阅",
  ),
  "outgoing.unit-sign": L("signature of the drafting unit's head", "拟稿单位负责人签字"),
  "outgoing.review": L(
    "review by the office (审核); --decision return sends it back",
    "党政办审核；--decision return 退回",
  ),
  "outgoing.leader-sign": L("signature of the leader in charge (审签)", "分管领导审签"),
  "outgoing.secretary-review": L("review by the party secretary", "党工委书记审核"),
  "outgoing.issue": L("issue (签发) by the leader the category requires", "按发文类别由相应领导签发"),
  "outgoing.number": L(
    "register and number (登记编号): the next gapless document number",
    "登记编号：取下一个连续的发文字号",
  ),
  "outgoing.recheck": L(
    "recheck (复核); --decision return sends it back to the signer",
    "复核；--decision return 退回签发人",
  ),
  "outgoing.distribute": L("distribution (分发)", "分发"),
  "call.handle": L(
    "handling (办理): --to transfers it to the responsible unit; the unit (or the office) signs when done",
    "办理：--to 按首问负责制转交承办单位；承办单位（或党政办）办结后签字",
  ),
  "call.reply": L("reply to the caller (答复)", "答复来电人"),
};

/** Roles 0.1 gave fields by their ids, in every kind (or in one kind: `kind.field`). */
const ROLES: Record<string, string> = {
  classification: "classification",
  urgency: "urgency",
  unit: "responsible-unit",
  "call.phone": "contact-phone",
  "call.caller": "contact-name",
  "outgoing.recipients": "recipients",
  "outgoing.cc": "copied-to",
};

/** Is this raw workflow of a format before 2? */
export const isFormat1 = (raw: Raw): boolean => raw.format === undefined || raw.format === 1;

/**
 * The edits that turn a format-1 workflow into format 2. Paths index into `raw`'s lists as they are.
 * Nothing for a file of another format.
 */
export function workflowUpgradeEdits(raw: Raw): Edit[] {
  if (!isFormat1(raw)) return [];
  const kind = String(raw.kind);
  const edits: Edit[] = [{ path: ["format"], value: 2 }];
  const fields = Array.isArray(raw.fields) ? raw.fields : [];
  const steps = Array.isArray(raw.steps) ? raw.steps : [];
  const fieldAt = (id: string) => fields.findIndex((f) => isMap(f) && f.id === id);
  const stepAt = (id: string) => steps.findIndex((s) => isMap(s) && s.id === id);
  const hasField = (id: string) => fieldAt(id) >= 0;

  if (CREATE_HELP[kind] && raw.help === undefined) edits.push({ path: ["help"], value: CREATE_HELP[kind] });
  if (CREATE_LABEL[kind] && raw.create_label === undefined)
    edits.push({ path: ["create_label"], value: CREATE_LABEL[kind] });
  fields.forEach((f, i) => {
    if (!isMap(f) || typeof f.id !== "string") return;
    const role = ROLES[`${kind}.${f.id}`] ?? ROLES[f.id];
    const fits =
      role === "responsible-unit"
        ? f.ref === "unit"
        : role === "classification" || role === "urgency"
          ? f.type === "enum"
          : role !== undefined;
    if (fits && f.role === undefined) edits.push({ path: ["fields", i, "role"], value: role });
    if (Array.isArray(f.values) && f.values.every((v) => typeof v === "string")) {
      const labelled = (f.values as string[]).map((v) => {
        const l = KIND_VALUE_LABELS[`${kind}.${f.id}.${v}`] ?? VALUE_LABELS[v];
        return l ? { id: v, label: l } : v;
      });
      if (labelled.some((v) => typeof v !== "string"))
        edits.push({ path: ["fields", i, "values"], value: labelled });
    }
  });
  steps.forEach((s, i) => {
    if (!isMap(s) || typeof s.id !== "string") return;
    const help = STEP_HELP[`${kind}.${s.id}`];
    if (help && s.help === undefined) edits.push({ path: ["steps", i, "help"], value: help });
  });
  if (kind === "call") {
    if (raw.title === undefined)
      edits.push({ path: ["title"], value: { option: "matter", label: L("Matter", "反映事项") } });
    const reply = stepAt("reply");
    const sets = ["answer", "reply_via", "satisfaction"].filter(hasField);
    if (reply >= 0 && sets.length && (steps[reply] as Raw).sets === undefined)
      edits.push({ path: ["steps", reply, "sets"], value: sets });
    const via = fieldAt("reply_via");
    if (via >= 0 && (fields[via] as Raw).option === undefined) {
      edits.push({ path: ["fields", via, "option"], value: "via" });
      edits.push({ path: ["fields", via, "aliases"], value: ["reply-via"] });
    }
    const important = fieldAt("important");
    if (important >= 0 && (fields[important] as Raw).type === "boolean" && raw.print_on_create === undefined)
      edits.push({ path: ["print_on_create"], value: { field: "important", equals: true } });
  }
  // Their document number is checked for the form <机关代字>〔YYYY〕N号 (a warning), as in the shipped template.
  const theirs = kind === "incoming" ? fieldAt("doc_number") : -1;
  if (theirs >= 0 && (fields[theirs] as Raw).type === "text" && (fields[theirs] as Raw).format === undefined)
    edits.push({ path: ["fields", theirs, "format"], value: "doc-number" });
  // A summary and a reply's answer are several lines of text; other text fields are one line (issue 12).
  const multi = fieldAt(kind === "incoming" ? "summary" : kind === "call" ? "answer" : "");
  if (multi >= 0 && (fields[multi] as Raw).type === "text" && (fields[multi] as Raw).multiline === undefined)
    edits.push({ path: ["fields", multi, "multiline"], value: true });
  if (kind === "incoming" && raw.checks === undefined)
    edits.push({ path: ["checks"], value: ["duplicate-document"] });
  if (["incoming", "outgoing", "call"].includes(kind) && raw.form === undefined)
    edits.push({ path: ["form"], value: kind });
  if (kind === "outgoing" && raw.commands === undefined)
    edits.push({ path: ["commands"], value: { "egov send": "egov-send" } });
  return edits;
}

/** `raw` with the edits applied (a copy). */
export function applyEdits(raw: Raw, edits: Edit[]): Raw {
  const out = structuredClone(raw);
  for (const { path, value } of edits) {
    let node: unknown = out;
    for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
    (node as Record<string | number, unknown>)[path[path.length - 1] as string | number] =
      structuredClone(value);
  }
  return out;
}

/** A format-1 workflow as format 2 (in memory); any other is returned as it is. */
export function upgradeWorkflowRaw(raw: Raw): Raw {
  const edits = workflowUpgradeEdits(raw);
  return edits.length ? applyEdits(raw, edits) : raw;
}
