/**
 * Record ids: `PREFIX-YYYY-NNNN`, numbered per kind and year in the office's time zone. Four digits
 * are the minimum width, not a limit: the 10,000th record of a year is `IN-2026-10000`.
 *
 * A record registered while the shared remote could not be reached has a provisional id,
 * `PREFIX-YYYY-LNNNN` (`IN-2026-L0003`, "L" for local: numbered in this clone only), until `sync`
 * renames it to the next free id of the remote (issue 17; DESIGN.md "Distribution").
 */

export interface RecordId {
  prefix: string;
  year: number;
  seq: number;
  /** A provisional id (`IN-2026-L0003`), numbered in one clone until sync gives it its final number. */
  provisional?: boolean;
}

const FULL_RE = /^([A-Z]{2,6})-(\d{4})-(L?)(\d{1,9})$/;
const SHORT_RE = /^([A-Z]{2,6})-(L?)(\d{1,9})$/;

export function formatId(id: RecordId): string {
  return `${id.prefix}-${id.year}-${id.provisional ? "L" : ""}${String(id.seq).padStart(4, "0")}`;
}

/**
 * Parse what a clerk typed: the full form, or the short form `IN-42` meaning this year's (the office
 * year of `currentYear`); `IN-2026-L0003` / `IN-L3` for a provisional id. Case-insensitive.
 * `undefined` when it is not an id.
 */
export function parseId(text: string, currentYear: number): RecordId | undefined {
  const t = text.trim().toUpperCase();
  const made = (prefix: string, year: number, l: string, seq: string): RecordId => ({
    prefix,
    year,
    seq: Number(seq),
    ...(l ? { provisional: true } : {}),
  });
  let m = FULL_RE.exec(t);
  if (m) return made(m[1] as string, Number(m[2]), m[3] as string, m[4] as string);
  m = SHORT_RE.exec(t);
  if (m) return made(m[1] as string, currentYear, m[2] as string, m[3] as string);
  return undefined;
}

/** True when `text` is an id written in full and canonical form (as in file names). */
export function isCanonicalId(text: string): boolean {
  const id = parseId(text, 0);
  return id !== undefined && FULL_RE.test(text) && formatId(id) === text;
}

/** True when `text` is a provisional id in canonical form (`IN-2026-L0003`). */
export function isProvisionalId(text: string): boolean {
  return isCanonicalId(text) && parseId(text, 0)?.provisional === true;
}

/**
 * Every canonical id (final or provisional) written in `text`, as a global pattern for replacing
 * them: a record id is never part of a longer word (`X-IN-2026-0001` or `IN-2026-00012` are not it).
 */
export function idPattern(id: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9-])${id.replace(/[-]/g, "\\-")}(?![0-9])`, "g");
}

/** Person, unit and role ids. */
export const PLAIN_ID_RE = /^[a-z0-9][a-z0-9-]*$/;
