/**
 * Official document numbers (发文字号, GB/T 9704): `<prefix>〔YYYY〕N号` with the full-width brackets
 * 〔〕 (U+3014, U+3015), no leading zeros, no 第; gapless and unique per prefix and year.
 */

// `^(.+〔(\d{4})〕)(\d+)号$`, its Chinese characters escaped like those of record.ts's patterns.
const DOC_NUMBER_RE = /^(.+\u3014(\d{4})\u3015)(\d+)\u53f7$/;

export function formatDocNumber(prefix: string, year: number, n: number): string {
  return `${docNumberSeries(prefix, year)}${n}号`;
}

/** The series a number belongs to: `X街党发〔2026〕`. */
export function docNumberSeries(prefix: string, year: number): string {
  return `${prefix}〔${year}〕`;
}

/** Split a document number into its series and sequence; undefined when it is not of this form. */
export function parseDocNumber(text: string): { series: string; year: number; n: number } | undefined {
  const m = DOC_NUMBER_RE.exec(text);
  if (!m || m[3]?.startsWith("0")) return undefined;
  return { series: m[1] as string, year: Number(m[2]), n: Number(m[3]) };
}

// A number typed with the wrong brackets ([2026], 【2026】, (2026)), a leading zero or 第: its parts.
const LOOSE_DOC_NUMBER_RE =
  /^(.+?)\s*[[\u3010(\uff08\u3014\u3016\uff3b]\s*(\d{4})\s*[\]\u3011)\uff09\u3015\u3017\uff3d]\s*\u7b2c?0*(\d+)\s*\u53f7$/;

/**
 * The GB/T 9704 form of a document number typed with the wrong brackets, a leading zero or 第
 * (`X街办发[2026]03号` -> `X街办发〔2026〕3号`); undefined when it is not recognisably one, or is
 * already right.
 */
export function fixDocNumber(text: string): string | undefined {
  const m = LOOSE_DOC_NUMBER_RE.exec(text.trim());
  if (!m) return undefined;
  const fixed = formatDocNumber(m[1] as string, Number(m[2]), Number(m[3]));
  return fixed !== text && parseDocNumber(fixed) ? fixed : undefined;
}

export interface NumberProblem {
  kind: "duplicate" | "gap";
  series: string;
  n: number;
  /** Records holding a duplicate number. */
  ids: string[];
  /** For a gap: the first number after it and the records holding it (where `check` reports the gap). */
  next?: { n: number; ids: string[] };
}

/**
 * Gaps and duplicates in the numbers of each series. `numbers` maps record id -> document number.
 * A series is expected to run 1, 2, 3 … up to its highest number.
 */
export function numberingProblems(numbers: ReadonlyMap<string, string>): NumberProblem[] {
  const bySeries = new Map<string, Map<number, string[]>>();
  for (const [id, dn] of numbers) {
    const p = parseDocNumber(dn);
    if (!p) continue;
    const s = bySeries.get(p.series) ?? new Map<number, string[]>();
    s.set(p.n, [...(s.get(p.n) ?? []), id]);
    bySeries.set(p.series, s);
  }
  const out: NumberProblem[] = [];
  for (const [series, ns] of [...bySeries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const max = Math.max(...ns.keys());
    for (let n = 1; n <= max; n++) {
      const ids = ns.get(n);
      if (!ids) {
        let m = n + 1;
        while (!ns.has(m)) m++;
        out.push({ kind: "gap", series, n, ids: [], next: { n: m, ids: [...(ns.get(m) ?? [])].sort() } });
      } else if (ids.length > 1) out.push({ kind: "duplicate", series, n, ids: [...ids].sort() });
    }
  }
  return out;
}
