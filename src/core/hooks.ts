import type { ReplayHook } from "./audit.js";
import type { Calendar } from "./calendar.js";
import { EGOV_REPLAYS } from "./egov.js";
import { callForm, incomingForm, outgoingForm } from "./forms.js";
import { INCOMING_GUARDS } from "./kinds/incoming.js";
import { INDICATOR_GUARDS, INDICATOR_REPLAYS } from "./kinds/indicator.js";
import { inspectionForm } from "./kinds/inspection.js";
import { MEETING_GUARDS, MEETING_REPLAYS, meetingDetails, meetingForm } from "./kinds/meeting.js";
import { requestForm } from "./kinds/request.js";
import { superiorDeadline } from "./kinds/superior.js";
import type { Label, OfficeConfig, Person, RecordDoc, RecordSummary } from "./model.js";
import type { Problem } from "./problems.js";
import type { HookNames, StepDef, WorkflowDef } from "./workflow.js";

/**
 * Kind-specific behaviour, as named hooks in one typed map (the way xstate's `setup({ guards,
 * actions })` names its implementations): a workflow file refers to them by name (`checks:
 * [room-free]`, `form: outgoing`) and `check` refuses a name the map does not have. What can be said
 * as data is data (fields, roles, limits, `upsert_key`, an actor `from_field`); a hook is for what
 * cannot. Hooks are pure: no disk, no clock, no terminal. The command line's own hooks, the kind
 * commands (`meeting reply`, `egov send`), are in src/cli/kind-commands.ts.
 *
 * To add a hook: write it in src/core/kinds/<kind>.ts, add it under its name below, name it in the
 * workflow; `npm run lint` checks its type.
 */

/** The other records a guard may look at: their index summaries (fields marked `summary` are in `extra`). */
export interface Peers {
  /** The open records. */
  open(): readonly RecordSummary[];
  /** Every record, open and closed (reads the closed ones: costs more). */
  all(): readonly RecordSummary[];
}

/** What a guard is given. */
export interface GuardInput {
  /**
   * `create`: `record` is about to be created (or revised, for an upsert), not yet written;
   * `complete-step`: a signature is about to complete `step` of `record` (the record as it is then).
   */
  event: "create" | "complete-step";
  record: RecordDoc;
  wf: WorkflowDef;
  step?: StepDef;
  office: OfficeConfig;
  calendar: Calendar;
  /** Epoch ms of the action. */
  now: number;
  actor: Person;
  peers: Peers;
}

/**
 * A warning a guard lets through: printed on stderr, the action goes ahead. With `confirm`, a
 * creation goes ahead only with the clerk's consent: asked at a terminal, otherwise refused unless
 * the create command was given `--duplicate-ok` (a document registered twice).
 */
export type Notice = Pick<Problem, "code" | "params"> & { confirm?: boolean };

/**
 * A guard refuses by throwing an OfficeError (`refused(...)`: exit 1, nothing written;
 * `usageError(...)`: exit 2) and may return warnings. Examples the coming kinds need: a meeting
 * request after its cutoff, a room already booked at that time (from `peers.open()`), a checklist
 * step completed while an item is not ok.
 */
export type Guard = (g: GuardInput) => readonly Notice[] | undefined;

/** What a printable form's hook is given. */
export interface FormInput {
  record: RecordDoc;
  wf: WorkflowDef;
  office: OfficeConfig;
  /** A field's value as people read it (enum labels, names of units and people), in Chinese. */
  display(field: string, v: unknown): string;
  /** The copy number (份号) of a classified document. */
  copy: number;
}

/**
 * The values of a printable form's `{{key}}` placeholders (templates/forms/<form>.md and .html, or
 * the registry's forms/). Every form also gets the generic keys (print.ts): id, office, title,
 * registered, deadline, each field's value and `label_<field>`.
 */
export type FormHook = (f: FormInput) => Record<string, string>;

/**
 * One fact `show` adds to a record (and `show --json` under `details`): a label, and the people or
 * units it names (shown by name, each with an optional note such as a reason), items of the kind's
 * own with their labels, or a text.
 */
export interface Detail {
  key: string;
  label: Label;
  people?: { id: string; note?: string }[];
  items?: { label: Label; note?: string | undefined }[];
  text?: Label;
}

/** What a `details` hook is given. */
export interface DetailsInput {
  record: RecordDoc;
  wf: WorkflowDef;
  office: OfficeConfig;
}

/** The facts a kind derives from a record for `show` (who has not replied to a meeting notice). */
export type DetailsHook = (d: DetailsInput) => Detail[];

export interface CoreHooks {
  /** `checks:` of a workflow (on creation) or of a step (before a signature completes it). */
  guards: Record<string, Guard>;
  /** `form:` of a workflow. */
  forms: Record<string, FormHook>;
  /** `details:` of a workflow (issue 16): what `show` derives from the record. */
  details?: Record<string, DetailsHook>;
  /**
   * The kinds' own actions as `office-doc verify` replays them, by the event's action (issue 18;
   * src/core/audit.ts): a kind command that makes an event the engine's generic actions do not
   * (`meeting reply`) names its replay here, or verify reports its events as unknown.
   */
  replays?: Record<string, ReplayHook>;
}

/** Type a hook map without widening its names (as xstate's setup does). */
export const defineHooks = <const H extends CoreHooks>(hooks: H): H => hooks;

/** The hooks office-doc ships. */
export const HOOKS = defineHooks({
  guards: {
    // issue 12 (a document registered twice)
    ...INCOMING_GUARDS,
    ...INDICATOR_GUARDS,
    // issue 15 (reports to superiors)
    "superior-deadline": superiorDeadline,
    // issue 16 (meetings)
    ...MEETING_GUARDS,
  },
  forms: {
    outgoing: ({ record, office, copy }) => outgoingForm(record, office, copy),
    call: ({ record, office, display }) => callForm(record, office, display),
    incoming: ({ record, office }) => incomingForm(record, office, office.timezone),
    // issue 15 (requests, inspections)
    request: requestForm,
    inspection: inspectionForm,
    // issue 16 (meetings)
    meeting: ({ record, office }) => meetingForm(record, office),
  },
  details: { meeting: meetingDetails },
  // issue 18 (verify)
  replays: { ...MEETING_REPLAYS, ...INDICATOR_REPLAYS, ...EGOV_REPLAYS },
});

/** The names of a hook map, for validating workflow files. */
export function hookNames(hooks: CoreHooks): HookNames {
  return {
    guards: Object.keys(hooks.guards),
    forms: Object.keys(hooks.forms),
    details: Object.keys(hooks.details ?? {}),
  };
}
