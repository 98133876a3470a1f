import { isFixedZone } from "./dates.js";
import { PLAIN_ID_RE } from "./ids.js";
import { DEFAULT_ROLES, type OfficeConfig, type Person, type RoleDef, type Unit } from "./model.js";
import type { Problem } from "./problems.js";
import { isMap } from "./raw.js";

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
      people.push(person);
    });
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
  const fonds = String(raw.fonds ?? "Z001");
  if (!/^[A-Z0-9]{4}$/.test(fonds)) p(["fonds"], "office.bad-fonds", { fonds });
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
    },
    problems,
  };
}

/** Find a person by id, or by e-mail (the git identity). */
export function findPerson(office: OfficeConfig, idOrEmail: string): Person | undefined {
  return (
    office.people.find((p) => p.id === idOrEmail) ??
    office.people.find((p) => p.email?.toLowerCase() === idOrEmail.toLowerCase())
  );
}
