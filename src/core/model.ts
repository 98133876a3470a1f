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
  /**
   * The person's SSH public key (`ssh-ed25519 AAAA… comment`), office.yaml `signing_key` (issue 18):
   * commits this person makes as operator are signed with git's SSH signing, and `verify
   * --signatures` holds them to it.
   */
  signing_key?: string;
}

export interface Unit {
  id: string;
  name: string;
  /** Short code for archive numbers (e.g. BGS). */
  code?: string;
  /** The leader in charge of the unit (分管领导): a person id; signs its indicator reports (seed §5). */
  leader?: string;
}

/**
 * One of the office's main economic indicators (主要经济指标, seed §5), reported monthly by units:
 * office.yaml `indicators:`.
 */
export interface IndicatorDef {
  /** The name typed in `indicator submit --value NAME=NUMBER` and used as the JSON key. */
  id: string;
  label: Label;
  /** The unit of measure: 万元, %, 个. */
  measure: string;
  /** How the office's total is made from the units' figures. */
  total: "sum" | "average";
  /** Decimals a figure may have, and totals and averages are rounded to (half away from zero). */
  decimals: number;
  /** The units that report it (absent in office.yaml: every unit). */
  units: string[];
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
  /** Meeting rooms, the pre-meeting checklist and the request cutoff (absent in older files: defaults). */
  meetings?: MeetingSettings;
  /** The main economic indicators units report each month (seed §5); none by default. */
  indicators?: IndicatorDef[];
  /**
   * The supervision ledger (督办台账, `report supervision`): its light turns yellow when the due date
   * is within `yellow_within` working days (default 2), red when it has passed. validateOffice
   * always gives it; optional for configurations built in code.
   */
  supervision?: { yellow_within: number };
  /**
   * Roles whose people may record an action for someone else (`--as P`, `--approved-by P`, a late
   * approval naming another leader): office.yaml `record_for` (issue 18; CLI.md "Invocation and
   * environment"). validateOffice gives DEFAULT_RECORD_FOR when the file has none.
   */
  record_for?: string[];
  /**
   * Roles of the office's administrators: once a person holds one, setup (people, units, roles,
   * workflows, calendar, upgrade) and repairs (`correct`, `fix`) need an operator with one
   * (office.yaml `admin_roles`, default DEFAULT_ADMIN_ROLES).
   */
  admin_roles?: string[];
  /**
   * Sharing through a git remote (issue 17): with `auto`, writing commands sync first and after
   * (a clone's `office-doc sync --auto` / `--no-auto` overrides it). Absent: false.
   */
  sync?: { auto: boolean };
}

/** Who may record for others unless office.yaml says otherwise (CLI.md): the clerks and the office. */
export const DEFAULT_RECORD_FOR = ["clerk", "office", "office-head"];

/** The administrators' roles unless office.yaml says otherwise (CLI.md): the head of the office. */
export const DEFAULT_ADMIN_ROLES = ["office-head"];

/** A meeting room of the office and its seats (seed §10.1: the place is chosen by the number of participants). */
export interface Room {
  id: string;
  name: string;
  /** Seats: a meeting whose participants outnumber them is refused. */
  capacity: number;
}

/** One item of the pre-meeting check (seed §10.3). */
export interface ChecklistItem {
  id: string;
  label: Label;
}

/** office.yaml `meetings:` (seed §8, §10), with defaults for what a file leaves out. */
export interface MeetingSettings {
  rooms: Room[];
  checklist: ChecklistItem[];
  /**
   * A request is due by the end of this many working days before the meeting day (seed §8.1: "two
   * days in advance"; DESIGN.md's counting rule).
   */
  request_days_before: number;
  /** Invitees reply to the notice by the end of this many working days before the meeting day. */
  reply_days_before: number;
}

/**
 * The pre-meeting check of seed §10.3: "whether the seating arrangement is proper, whether other
 * facilities such as lighting, acoustics and drinking water are in good condition, and whether the
 * venue sanitation and emblem hanging meet the requirements"; the seat signs of §10.2.
 */
export const DEFAULT_CHECKLIST: ChecklistItem[] = [
  { id: "seating", label: { en: "Seating", "zh-CN": "座位安排" } },
  { id: "seat-signs", label: { en: "Seat signs", "zh-CN": "领导席卡" } },
  { id: "lighting", label: { en: "Lighting", "zh-CN": "灯光照明" } },
  { id: "sound", label: { en: "Sound system", "zh-CN": "音响设备" } },
  { id: "water", label: { en: "Drinking water", "zh-CN": "饮用水" } },
  { id: "sanitation", label: { en: "Sanitation", "zh-CN": "会场卫生" } },
  { id: "emblem", label: { en: "Emblem and banner", "zh-CN": "会徽会标悬挂" } },
];

/** What an office.yaml without `meetings:` means: no rooms of its own, the seed's checklist, 2 and 1 days. */
export const DEFAULT_MEETINGS: MeetingSettings = {
  rooms: [],
  checklist: DEFAULT_CHECKLIST,
  request_days_before: 2,
  reply_days_before: 1,
};

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
  /**
   * On a `fix` event (issue 18): the commits whose change of this record the repair undid or
   * recomputed, as `verify` reported them (full commit ids).
   */
  fixes?: string[];
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
