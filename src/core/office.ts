import { isFixedZone } from "./dates.js";
import { PLAIN_ID_RE } from "./ids.js";
import {
  type ChecklistItem,
  DEFAULT_ADMIN_ROLES,
  DEFAULT_MEETINGS,
  DEFAULT_RECORD_FOR,
  DEFAULT_ROLES,
  type IndicatorDef,
  type MeetingSettings,
  type OfficeConfig,
  type Person,
  type RoleDef,
  type Room,
  type Unit,
} from "./model.js";
import type { Problem } from "./problems.js";
import { isMap } from "./raw.js";

/**
 * An OpenSSH public key line as `ssh-keygen` writes it and git's allowed-signers file takes it:
 * the key type, the base64 key, an optional comment.
 */
const SSH_KEY_RE =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;

/** office.yaml `record_for` / `admin_roles` (issue 18): a list of role ids, `fallback` when absent. */
function roleList(
  raw: Record<string, unknown>,
  key: "record_for" | "admin_roles",
  fallback: string[],
  roleIds: ReadonlySet<string>,
  p: (path: (string | number)[], code: Problem["code"], params?: Problem["params"]) => void,
): string[] {
  const v = raw[key];
  if (v === undefined || v === null) return [...fallback];
  if (!Array.isArray(v)) {
    p([key], "office.not-a-list", { key });
    return [...fallback];
  }
  const out = v.map(String);
  out.forEach((r, i) => {
    if (!roleIds.has(r)) p([key, i], "office.unknown-role", { role: r, id: key });
  });
  return out;
}

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

/** Validate `office.yaml`. Returns the config (with defaults) when there are no problems. */
export function validateOffice(raw: unknown): { value?: OfficeConfig; problems: Problem[] } {
  const problems: Problem[] = [];
  const p = (path: (string | number)[], code: Problem["code"], params: Problem["params"] = {}) =>
    problems.push({ path, code, params });
  if (!isMap(raw)) {
    p([], "office.not-a-map");
    return { problems };
  }
  if (typeof raw.name !== "string" || raw.name.trim() === "") p(["name"], "office.no-name");
  const tz = typeof raw.timezone === "string" ? raw.timezone : "Asia/Shanghai";
  try {
    if (!isFixedZone(tz)) new Intl.DateTimeFormat("en", { timeZone: tz });
  } catch {
    p(["timezone"], "office.bad-timezone", { tz });
  }
  const roles: RoleDef[] = [];
  if (raw.roles === undefined) roles.push(...DEFAULT_ROLES);
  else if (!isMap(raw.roles)) p(["roles"], "office.roles-not-a-map");
  else
    for (const [id, v] of Object.entries(raw.roles)) {
      if (!PLAIN_ID_RE.test(id)) p(["roles", id], "office.bad-id", { id });
      const m = isMap(v) ? v : {};
      roles.push({
        id,
        label: { en: String(m.en ?? id), "zh-CN": String(m["zh-CN"] ?? m.en ?? id) },
        leader: m.leader === true,
      });
    }
  const units: Unit[] = [];
  const unitIds = new Set<string>();
  if (raw.units !== undefined && !Array.isArray(raw.units))
    p(["units"], "office.not-a-list", { key: "units" });
  else
    ((raw.units as unknown[] | undefined) ?? []).forEach((u, i) => {
      if (!isMap(u) || typeof u.id !== "string" || !PLAIN_ID_RE.test(u.id))
        return p(["units", i], "office.bad-id", { id: isMap(u) ? String(u.id) : "" });
      if (unitIds.has(u.id)) p(["units", i, "id"], "office.duplicate-id", { id: u.id });
      if (typeof u.name !== "string" || !u.name.trim()) p(["units", i], "office.no-name-for", { id: u.id });
      unitIds.add(u.id);
      const unit: Unit = { id: u.id, name: String(u.name ?? u.id) };
      if (typeof u.code === "string") unit.code = u.code;
      if (u.leader !== undefined) unit.leader = String(u.leader);
      units.push(unit);
    });
  const people: Person[] = [];
  const personIds = new Set<string>();
  const roleIds = new Set(roles.map((r) => r.id));
  if (raw.people !== undefined && !Array.isArray(raw.people))
    p(["people"], "office.not-a-list", { key: "people" });
  else
    ((raw.people as unknown[] | undefined) ?? []).forEach((x, i) => {
      if (!isMap(x) || typeof x.id !== "string" || !PLAIN_ID_RE.test(x.id))
        return p(["people", i], "office.bad-id", { id: isMap(x) ? String(x.id) : "" });
      if (personIds.has(x.id) || unitIds.has(x.id))
        p(["people", i, "id"], "office.duplicate-id", { id: x.id });
      personIds.add(x.id);
      if (typeof x.name !== "string" || !x.name.trim()) p(["people", i], "office.no-name-for", { id: x.id });
      const rs = Array.isArray(x.roles) ? x.roles.map(String) : [];
      const pid = x.id;
      rs.forEach((r, j) => {
        if (!roleIds.has(r)) p(["people", i, "roles", j], "office.unknown-role", { role: r, id: pid });
      });
      if (x.unit !== undefined && !unitIds.has(String(x.unit)))
        p(["people", i, "unit"], "office.unknown-unit", { unit: String(x.unit), id: x.id });
      if (x.email !== undefined && !EMAIL_RE.test(String(x.email)))
        p(["people", i, "email"], "office.bad-email", { email: String(x.email) });
      const person: Person = { id: x.id, name: String(x.name ?? x.id), roles: rs };
      if (typeof x.email === "string") person.email = x.email;
      if (typeof x.unit === "string") person.unit = x.unit;
      if (x.signing_key !== undefined) {
        const key = typeof x.signing_key === "string" ? x.signing_key.trim() : "";
        if (!SSH_KEY_RE.test(key)) p(["people", i, "signing_key"], "office.bad-signing-key", { id: x.id });
        else person.signing_key = key;
      }
      people.push(person);
    });
  // A unit's leader in charge is a person of the office.
  units.forEach((u, i) => {
    if (u.leader !== undefined && !personIds.has(u.leader))
      p(["units", i, "leader"], "office.unknown-leader", { person: u.leader, unit: u.id });
  });
  const indicators = validateIndicators(raw.indicators, unitIds, p);
  const prefixes: Record<string, string> = {};
  if (isMap(raw.prefixes)) for (const [k, v] of Object.entries(raw.prefixes)) prefixes[k] = String(v);
  const issuerMarks: Record<string, string> = {};
  if (isMap(raw.issuer_marks))
    for (const [k, v] of Object.entries(raw.issuer_marks)) issuerMarks[k] = String(v);
  const egovRaw = isMap(raw.egov) ? raw.egov : {};
  const windows = Array.isArray(egovRaw.windows)
    ? egovRaw.windows.map(String)
    : ["07:30", "10:00", "15:30", "18:00"];
  windows.forEach((w, i) => {
    if (!TIME_RE.test(w)) p(["egov", "windows", i], "office.bad-time", { time: w });
  });
  const grace = egovRaw.grace_minutes ?? 30;
  if (!Number.isInteger(grace) || (grace as number) < 0)
    p(["egov", "grace_minutes"], "office.bad-number", { key: "grace_minutes" });
  const backupRaw = isMap(raw.backup) ? raw.backup : {};
  const maxAge = backupRaw.max_age_days ?? 7;
  if (!Number.isInteger(maxAge) || (maxAge as number) < 1)
    p(["backup", "max_age_days"], "office.bad-number", { key: "max_age_days" });
  const supervisionRaw = isMap(raw.supervision) ? raw.supervision : {};
  const yellowWithin = supervisionRaw.yellow_within ?? 2;
  if (!Number.isInteger(yellowWithin) || (yellowWithin as number) < 0)
    p(["supervision", "yellow_within"], "office.bad-number", { key: "yellow_within" });
  // issue 17: writing commands sync with the shared remote first and after.
  const syncRaw = isMap(raw.sync) ? raw.sync : {};
  if (raw.sync !== undefined && !isMap(raw.sync)) p(["sync"], "office.not-a-mapping", { key: "sync" });
  if (syncRaw.auto !== undefined && typeof syncRaw.auto !== "boolean")
    p(["sync", "auto"], "office.not-boolean", { key: "auto" });
  const fonds = String(raw.fonds ?? "Z001");
  if (!/^[A-Z0-9]{4}$/.test(fonds)) p(["fonds"], "office.bad-fonds", { fonds });
  const meetings = meetingSettings(raw.meetings, p);
  const recordFor = roleList(raw, "record_for", DEFAULT_RECORD_FOR, roleIds, p);
  const adminRoles = roleList(raw, "admin_roles", DEFAULT_ADMIN_ROLES, roleIds, p);
  if (problems.length) return { problems };
  return {
    value: {
      name: String(raw.name),
      timezone: tz,
      fonds,
      roles,
      units,
      people,
      prefixes,
      issuer_marks: issuerMarks,
      printed_by: typeof raw.printed_by === "string" ? raw.printed_by : String(raw.name),
      egov: { windows: [...windows].sort(), grace_minutes: grace as number },
      backup: { max_age_days: maxAge as number },
      ...(raw.meetings === undefined ? {} : { meetings }),
      indicators,
      supervision: { yellow_within: yellowWithin as number },
      record_for: recordFor,
      admin_roles: adminRoles,
      ...(syncRaw.auto === true ? { sync: { auto: true } } : {}),
    },
    problems,
  };
}

/**
 * office.yaml `meetings:` (issue 16), every key optional: `rooms` (id -> name and seats),
 * `checklist` (id -> labels, the items of the pre-meeting check), `request_days_before` and
 * `reply_days_before` (working days). What is left out is DEFAULT_MEETINGS'.
 */
function meetingSettings(
  raw: unknown,
  p: (path: (string | number)[], code: Problem["code"], params?: Problem["params"]) => void,
): MeetingSettings {
  if (raw === undefined) return DEFAULT_MEETINGS;
  if (!isMap(raw)) {
    p(["meetings"], "office.not-a-mapping", { key: "meetings" });
    return DEFAULT_MEETINGS;
  }
  const rooms: Room[] = [];
  if (raw.rooms !== undefined && !isMap(raw.rooms))
    p(["meetings", "rooms"], "office.not-a-mapping", { key: "rooms" });
  else
    for (const [id, v] of Object.entries(raw.rooms ?? {})) {
      const path = ["meetings", "rooms", id];
      if (!PLAIN_ID_RE.test(id)) p(path, "office.bad-id", { id });
      const m = isMap(v) ? v : {};
      if (typeof m.name !== "string" || !m.name.trim()) p(path, "office.no-name-for", { id });
      const capacity = m.capacity;
      if (!Number.isInteger(capacity) || (capacity as number) < 1)
        p([...path, "capacity"], "office.bad-number", { key: `capacity (${id})` });
      rooms.push({ id, name: String(m.name ?? id), capacity: Number(capacity) });
    }
  let checklist: ChecklistItem[] = DEFAULT_MEETINGS.checklist;
  if (raw.checklist !== undefined) {
    checklist = [];
    if (!isMap(raw.checklist)) p(["meetings", "checklist"], "office.not-a-mapping", { key: "checklist" });
    else
      for (const [id, v] of Object.entries(raw.checklist)) {
        if (!PLAIN_ID_RE.test(id)) p(["meetings", "checklist", id], "office.bad-id", { id });
        const m = isMap(v) ? v : {};
        checklist.push({ id, label: { en: String(m.en ?? id), "zh-CN": String(m["zh-CN"] ?? m.en ?? id) } });
      }
  }
  const days = (key: "request_days_before" | "reply_days_before"): number => {
    const v = raw[key] ?? DEFAULT_MEETINGS[key];
    if (!Number.isInteger(v) || (v as number) < 0) p(["meetings", key], "office.bad-number", { key });
    return Number(v);
  };
  return {
    rooms,
    checklist,
    request_days_before: days("request_days_before"),
    reply_days_before: days("reply_days_before"),
  };
}

/** What an indicator's name may be: a map key on the command line (`--value output=12.5`). */
const INDICATOR_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MAX_DECIMALS = 6;

/**
 * office.yaml `indicators:` (seed §5), a list of `{ id, label: { en, zh-CN }, measure, total: sum |
 * average, decimals, units: [unit ids] }`; `total` defaults to sum, `decimals` to 2 (0 to 6), `units`
 * to every unit of the office. Problems are added through `p`.
 */
function validateIndicators(
  raw: unknown,
  unitIds: ReadonlySet<string>,
  p: (path: (string | number)[], code: Problem["code"], params?: Problem["params"]) => void,
): IndicatorDef[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    p(["indicators"], "office.not-a-list", { key: "indicators" });
    return [];
  }
  const out: IndicatorDef[] = [];
  const ids = new Set<string>();
  raw.forEach((x, i) => {
    const path = ["indicators", i];
    if (!isMap(x) || typeof x.id !== "string" || !INDICATOR_ID_RE.test(x.id))
      return p(path, "office.bad-indicator", { id: isMap(x) ? String(x.id) : "" });
    if (ids.has(x.id)) p([...path, "id"], "office.duplicate-id", { id: x.id });
    ids.add(x.id);
    const l = isMap(x.label) ? x.label : {};
    if (typeof l.en !== "string" || typeof l["zh-CN"] !== "string")
      p([...path, "label"], "office.indicator-label", { id: x.id });
    const total = x.total ?? "sum";
    if (total !== "sum" && total !== "average")
      p([...path, "total"], "office.indicator-total", { id: x.id, total: String(total) });
    const decimals = x.decimals ?? 2;
    if (!Number.isInteger(decimals) || (decimals as number) < 0 || (decimals as number) > MAX_DECIMALS)
      p([...path, "decimals"], "office.bad-number", { key: "decimals" });
    let units = [...unitIds];
    if (x.units !== undefined) {
      if (!Array.isArray(x.units)) p([...path, "units"], "office.not-a-list", { key: "units" });
      else {
        units = x.units.map(String);
        units.forEach((u, j) => {
          if (!unitIds.has(u)) p([...path, "units", j], "office.unknown-unit", { unit: u, id: String(x.id) });
        });
      }
    }
    out.push({
      id: x.id,
      label: { en: String(l.en ?? x.id), "zh-CN": String(l["zh-CN"] ?? l.en ?? x.id) },
      measure: typeof x.measure === "string" ? x.measure : "",
      total: total === "average" ? "average" : "sum",
      decimals: Number.isInteger(decimals) ? (decimals as number) : 2,
      units,
    });
  });
  return out;
}

/**
 * The office.yaml keys a kind needs (each optional, with a default): `office-doc upgrade` adds those
 * a registry lacks, with the template's value and comment, when it has or gets the kind's workflow.
 */
export const KIND_OFFICE_KEYS: Record<string, string[]> = {
  indicator: ["indicators"],
  meeting: ["meetings"],
};

/** Find a person by id, or by e-mail (the git identity). */
export function findPerson(office: OfficeConfig, idOrEmail: string): Person | undefined {
  return (
    office.people.find((p) => p.id === idOrEmail) ??
    office.people.find((p) => p.email?.toLowerCase() === idOrEmail.toLowerCase())
  );
}
