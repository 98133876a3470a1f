/**
 * Record ids: `PREFIX-YYYY-NNNN`, numbered per kind and year in the office's time zone. Four digits
 * are the minimum width, not a limit: the 10,000th record of a year is `IN-2026-10000`.
 */

export interface RecordId {
  prefix: string;
  year: number;
  seq: number;
}

const FULL_RE = /^([A-Z]{2,6})-(\d{4})-(\d{1,9})$/;
const SHORT_RE = /^([A-Z]{2,6})-(\d{1,9})$/;

export function formatId(id: RecordId): string {
  return `${id.prefix}-${id.year}-${String(id.seq).padStart(4, "0")}`;
}

/**
 * Parse what a clerk typed: the full form, or the short form `IN-42` meaning this year's (the office
 * year of `currentYear`). Case-insensitive. `undefined` when it is not an id.
 */
export function parseId(text: string, currentYear: number): RecordId | undefined {
  const t = text.trim().toUpperCase();
  let m = FULL_RE.exec(t);
  if (m) return { prefix: m[1] as string, year: Number(m[2]), seq: Number(m[3]) };
  m = SHORT_RE.exec(t);
  if (m) return { prefix: m[1] as string, year: currentYear, seq: Number(m[2]) };
  return undefined;
}

/** True when `text` is an id written in full and canonical form (as in file names). */
export function isCanonicalId(text: string): boolean {
  const id = parseId(text, 0);
  return id !== undefined && FULL_RE.test(text) && formatId(id) === text;
}

/** Person, unit and role ids. */
export const PLAIN_ID_RE = /^[a-z0-9][a-z0-9-]*$/;
