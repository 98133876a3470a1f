import { DEFAULT_ADMIN_ROLES, DEFAULT_RECORD_FOR, type OfficeConfig, type Person } from "./model.js";
import { refused } from "./problems.js";

/**
 * Who may do what beyond the workflow's steps (issue 18; CLI.md "Invocation and environment",
 * DESIGN.md "Trust"): recording an action for another person is a role (office.yaml `record_for`),
 * and once the office has an administrator (a person with one of office.yaml's `admin_roles`),
 * setting the office up and repairing records are theirs. Pure: the office is passed in.
 */

/** The roles that may record for others (office.yaml `record_for`, default clerk, office, office-head). */
export function recordForRoles(office: OfficeConfig): string[] {
  return office.record_for ?? DEFAULT_RECORD_FOR;
}

/** The administrators' roles (office.yaml `admin_roles`, default office-head). */
export function adminRoles(office: OfficeConfig): string[] {
  return office.admin_roles ?? DEFAULT_ADMIN_ROLES;
}

/** Does `p` hold an administrator's role? */
export function isAdmin(office: OfficeConfig, p: Person | undefined): boolean {
  const roles = adminRoles(office);
  return p?.roles.some((r) => roles.includes(r)) === true;
}

/** Has the office an administrator yet? Before it has, setup needs no known operator (CLI.md). */
export function hasAdmin(office: OfficeConfig): boolean {
  return office.people.some((p) => isAdmin(office, p));
}

/** May `recorder` record what another person did or approved? */
export function mayRecordFor(office: OfficeConfig, recorder: Person): boolean {
  const roles = recordForRoles(office);
  return recorder.roles.some((r) => roles.includes(r));
}

const who = (p: Person) => `${p.name} (${p.id})`;

/**
 * Refuse (exit 1, `trust.record-for`) when `recorder` names `other` as having acted or approved
 * (`--as`, `--approved-by`, a field with the role approved-by) without a role that may record for
 * others; `option` says which. Naming oneself is always allowed.
 */
export function assertMayRecordFor(
  office: OfficeConfig,
  recorder: Person,
  other: Person | string,
  option: string,
): void {
  const otherId = typeof other === "string" ? other : other.id;
  if (otherId === recorder.id || mayRecordFor(office, recorder)) return;
  const name =
    typeof other === "string" ? (office.people.find((p) => p.id === other)?.name ?? other) : other.name;
  throw refused("trust.record-for", {
    person: who(recorder),
    other: `${name} (${otherId})`,
    option,
    roles: recordForRoles(office).join(", "),
  });
}

/**
 * Refuse (exit 1, `trust.admin-required`) unless `operator` is an administrator. `what` names the
 * change (person add, calendar set, correct…). Callers skip this while the office has none.
 */
export function assertAdmin(office: OfficeConfig, operator: Person | undefined, what: string): void {
  if (isAdmin(office, operator)) return;
  throw refused("trust.admin-required", {
    what,
    person: operator ? who(operator) : "-",
    roles: adminRoles(office).join(", "),
  });
}
