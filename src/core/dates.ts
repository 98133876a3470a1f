/**
 * Plain calendar dates (`YYYY-MM-DD`) and instants in the office's time zone.
 *
 * Deadlines are about office days, not instants, so most of the core works on plain dates; an
 * instant (ISO 8601 with offset) is turned into an office date exactly once, with the office's time
 * zone. No function here reads the clock.
 */

/** A plain date, `YYYY-MM-DD`, with no time zone. */
export type IsoDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True when `s` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

const STORED_INSTANT_RE =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * True when `s` is an instant as records store it, ISO 8601 with seconds and an offset
 * (`2026-02-13T09:00:00+08:00`), that names a real moment: a real date (no 2026-02-30), hours
 * 00–23, minutes and seconds 00–59, an offset of at most ±14:00.
 */
export function isInstant(s: string): boolean {
  const m = STORED_INSTANT_RE.exec(s);
  if (!m || !isIsoDate(m[1] as string)) return false;
  if (Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) return false;
  if (m[5] === undefined) return true;
  const off = Number(m[6]) * 60 + Number(m[7]);
  return Number(m[7]) <= 59 && off <= 14 * 60;
}

/** The number written by the ASCII digits of `s` from `from` to `to`, or NaN at any other character. */
function digitsAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

/** Days since 1970-01-01 (UTC midnight) of a plain date. */
export function toEpochDay(d: IsoDate): number {
  // Read by char codes rather than DATE_RE: listings turn thousands of dates into days, and the
  // match arrays of a regular expression cost several times more.
  if (typeof d !== "string") throw new Error(`not a date: ${String(d)}`);
  const y = digitsAt(d, 0, 4);
  const m = digitsAt(d, 5, 7);
  const day = digitsAt(d, 8, 10);
  if (d.length !== 10 || d.charCodeAt(4) !== 45 || d.charCodeAt(7) !== 45 || Number.isNaN(y + m + day))
    throw new Error(`not a date: ${d}`);
  return Date.UTC(y, m - 1, day) / MS_PER_DAY;
}

/** The plain date `n` days after epoch. */
export function fromEpochDay(n: number): IsoDate {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** `d` plus `n` calendar days (n may be negative). */
export function addDays(d: IsoDate, n: number): IsoDate {
  return fromEpochDay(toEpochDay(d) + n);
}

/** Calendar days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(d: IsoDate): number {
  return (((toEpochDay(d) + 4) % 7) + 7) % 7;
}

export function yearOf(d: IsoDate): number {
  return Number(d.slice(0, 4));
}

/** `2026年3月5日`: the written date of official documents, without zero padding. */
export function chineseDate(d: IsoDate): string {
  const [y, m, day] = d.split("-").map(Number);
  return `${y}年${m}月${day}日`;
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = dtfCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    dtfCache.set(tz, f);
  }
  return f;
}

interface WallTime {
  date: IsoDate;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Zones with one fixed offset for every date office-doc deals with (China has had no daylight saving
 * since 1991): computed without Intl, whose time-zone data costs ~25 ms to load.
 */
const FIXED_OFFSET_MINUTES: Record<string, number> = {
  "Asia/Shanghai": 480,
  "Asia/Chongqing": 480,
  PRC: 480,
  UTC: 0,
  "Etc/UTC": 0,
};

/** The wall-clock date and time in `tz` of an instant given in epoch milliseconds. */
export function wallTime(ms: number, tz: string): WallTime {
  const fixed = FIXED_OFFSET_MINUTES[tz];
  if (fixed !== undefined) {
    const d = new Date(ms + fixed * 60000);
    return {
      date: d.toISOString().slice(0, 10),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  }
  const parts: Record<string, string> = {};
  for (const p of partsFormatter(tz).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The office date of an instant. */
export function officeDate(ms: number, tz: string): IsoDate {
  return wallTime(ms, tz).date;
}

/** True for time zones known without Intl. */
export function isFixedZone(tz: string): boolean {
  return tz in FIXED_OFFSET_MINUTES;
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (Asia/Shanghai: +480). */
export function tzOffsetMinutes(ms: number, tz: string): number {
  const fixed = FIXED_OFFSET_MINUTES[tz];
  if (fixed !== undefined) return fixed;
  const w = wallTime(ms, tz);
  const asUtc = toEpochDay(w.date) * MS_PER_DAY + (w.hour * 3600 + w.minute * 60 + w.second) * 1000;
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** Epoch ms of wall-clock `date` at `hh:mm:ss` in `tz`. */
export function instantAt(date: IsoDate, time: string, tz: string): number {
  const [h = 0, m = 0, s = 0] = time.split(":").map(Number);
  const guess = toEpochDay(date) * MS_PER_DAY + (h * 3600 + m * 60 + s) * 1000;
  // Two passes settle the offset even across a DST change (China has none, but the zone is configurable).
  let ms = guess - tzOffsetMinutes(guess, tz) * 60000;
  ms = guess - tzOffsetMinutes(ms, tz) * 60000;
  return ms;
}

/** ISO 8601 with the office's offset, e.g. `2026-02-13T09:00:00+08:00`: how instants are stored. */
export function formatInstant(ms: number, tz: string): string {
  const w = wallTime(ms, tz);
  const off = tzOffsetMinutes(ms, tz);
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${w.date}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parse a user-typed date or date-time. A value without an offset is office wall time; a bare date is
 * the start of that day. Returns epoch ms, or `undefined` when the text is not a date-time.
 */
export function parseInstant(text: string, tz: string): number | undefined {
  const t = text.trim();
  if (!INSTANT_RE.test(t)) return undefined;
  const date = t.slice(0, 10);
  if (!isIsoDate(date)) return undefined;
  // 25:00 or 09:75 is a typing mistake, not a later time.
  const hms = /[T ](\d{2}):(\d{2})(?::(\d{2}))?/.exec(t);
  if (hms && (Number(hms[1]) > 23 || Number(hms[2]) > 59 || Number(hms[3] ?? 0) > 59)) return undefined;
  if (t.length === 10) return instantAt(date, "00:00:00", tz);
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const ms = Date.parse(t.replace(" ", "T"));
    return Number.isNaN(ms) ? undefined : ms;
  }
  const time = t.slice(11);
  return instantAt(date, time.length === 5 ? `${time}:00` : time.slice(0, 8), tz);
}
