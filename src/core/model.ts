import type { IsoDate } from "./dates.js";

/** Labels every user-facing name carries: ids never change, labels are translated. */
export interface Label {
  en: string;
  "zh-CN": string;
}

export interface Person {
  id: string;
  name: string;
  email?: string;
  roles: string[];
  unit?: string;
}

export interface Unit {
  id: string;
  name: string;
  /** Short code for archive numbers (e.g. BGS). */
  code?: string;
}

export interface RoleDef {
  id: string;
  label: Label;
  /** Leaders may approve extensions and late requests. */
  leader?: boolean;
}

export interface OfficeConfig {
  name: string;
  timezone: string;
  /** 全宗号, four characters, for archive numbers. */
  fonds: string;
  roles: RoleDef[];
  units: Unit[];
  people: Person[];
  /** 机关代字 per document category, e.g. `party-committee: X街党发`. */
  prefixes: Record<string, string>;
  /** 发文机关标志 per document category (the red header). */
  issuer_marks: Record<string, string>;
  /** 印发机关: who prints the office's documents. */
  printed_by: string;
  egov: { windows: string[]; grace_minutes: number };
  backup: { max_age_days: number };
}

/** The roles every new office starts with (CLI.md). */
export const DEFAULT_ROLES: RoleDef[] = [
  { id: "clerk", label: { en: "Clerk", "zh-CN": "收发/文书" } },
  { id: "office", label: { en: "Office staff", "zh-CN": "党政办工作人员" } },
  { id: "office-head", label: { en: "Head of the office", "zh-CN": "党政办主任" }, leader: true },
  { id: "party-secretary", label: { en: "Party secretary", "zh-CN": "党工委书记" }, leader: true },
  {
    id: "resident-secretary",
    label: { en: "Resident deputy secretary", "zh-CN": "驻会副书记" },
    leader: true,
  },
  { id: "director", label: { en: "Director", "zh-CN": "办事处主任" }, leader: true },
  { id: "leader", label: { en: "Leader in charge", "zh-CN": "分管领导" }, leader: true },
  { id: "unit-head", label: { en: "Unit head", "zh-CN": "科室/站所负责人" } },
  { id: "staff", label: { en: "Unit staff", "zh-CN": "科室工作人员" } },
];

export type RecordStatus = "open" | "closed";

export interface Signature {
  by: string;
  /** The unit or role this signature stands for, when a step needs one per unit or role. */
  for?: string;
  at: string;
  opinion?: string;
  decision?: "approve" | "return";
}

/** One line of a record's `history:`; every event is also one git commit. */
export interface HistoryEvent {
  action: string;
  at: string;
  actor: string;
  recorded_by: string;
  step?: string;
  opinion?: string;
  decision?: "approve" | "return";
  to?: string[];
  reason?: string;
  note?: string;
  until?: IsoDate;
  approved_by?: string;
  caller_informed?: boolean;
  /** On a `merge` forced past a refusal (`--force`): records of different contacts merged. */
  forced?: boolean;
  /** On the event that completed a step: that step's due date then (on-time statistics). */
  due?: IsoDate;
  changes?: Record<string, unknown>;
  /** On a `revise` event: the values `changes` replaced. */
  previous?: Record<string, unknown>;
}

export interface ArchiveInfo {
  number: string;
  retention: Retention;
  filed_at: string;
}

export type Retention = "permanent" | "30y" | "10y";

/**
 * A record as stored in `records/<kind>/<year>/<ID>.yaml`. `step`, `holders`, `due` and the
 * current-step state are what the history says; they are stored so a person can read the file.
 */
export interface RecordDoc {
  id: string;
  kind: string;
  title: string;
  status: RecordStatus;
  step: string | null;
  holders: string[];
  /** End of this day (office time) is the current step's deadline. */
  due: IsoDate | null;
  /** The record's overall deadline, when its workflow has one. */
  deadline: IsoDate | null;
  created: string;
  fields: Record<string, unknown>;
  /** When the current step began. */
  step_started: string | null;
  /** When the current handling round began, after a `reopen` (limits "from the record" count from it). */
  round_started?: string;
  /** Holders named by `route` for the current step. */
  routed: string[];
  /** Signatures gathered so far on the current step. */
  signatures: Signature[];
  /** A due date fixed by an approved extension of the current step. */
  step_extended_until?: IsoDate;
  /** A due date fixed by an approved extension of the whole record. */
  deadline_extended_until?: IsoDate;
  archive?: ArchiveInfo;
  /** A record withdrawn before its procedure ended (its number, if any, is never reused). */
  withdrawn?: { at: string; by: string; reason: string };
  /** A duplicate closed into another record (the same caller, the same matter). */
  merged_into?: string;
  history: HistoryEvent[];
}

/** What the index keeps of a record: enough to list, filter and compute overdue lists. */
export interface RecordSummary {
  id: string;
  kind: string;
  title: string;
  status: RecordStatus;
  step: string | null;
  holders: string[];
  due: IsoDate | null;
  created: string;
  unit?: string;
  classification?: string;
  urgency?: string;
  /** Last history event time. */
  updated: string;
  archive?: string;
  /** When it was closed (last event), for closed records. */
  closed?: string;
  /** False when some step was completed after its due date. */
  on_time?: boolean;
  /** Extra fields some reports need (doc_number, category…). */
  extra?: Record<string, string>;
}

/**
 * The part of a summary that listings show and filter on: the overdue list and the tables of `list`
 * need no more, and the index reads no more for them (about half the bytes of the open summaries).
 */
export type ListedSummary = Pick<
  RecordSummary,
  "id" | "kind" | "title" | "status" | "step" | "holders" | "due" | "unit" | "classification" | "urgency"
>;
