/**
 * Decimal numbers kept exact: figures (indicator values in 万元, percentages) are stored as the
 * decimal strings that were typed and added as scaled integers, so 0.1 + 0.2 is 0.3 and never
 * 0.30000000000000004. No binary floating point touches a stored figure.
 */

const DECIMAL_RE = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** A typed decimal in its stored form (`+1.50` -> `1.50`, `-0` -> `0`), or undefined when it is not one. */
export function normalizeDecimal(text: string): string | undefined {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) return undefined;
  const int = (m[2] as string).replace(/^0+(?=\d)/, "");
  const frac = m[3];
  const zero = /^0+$/.test(int) && (!frac || /^0+$/.test(frac));
  return `${m[1] === "-" && !zero ? "-" : ""}${int}${frac !== undefined ? `.${frac}` : ""}`;
}

/** Is `v` a stored decimal (a string in normalizeDecimal's form)? */
export const isDecimal = (v: unknown): v is string => typeof v === "string" && normalizeDecimal(v) === v;

/** `text` as an integer of units of 10^-scale. */
function scaled(text: string, scale: number): bigint {
  const m = DECIMAL_RE.exec(text) as RegExpExecArray;
  const frac = (m[3] ?? "").padEnd(scale, "0");
  const n = BigInt(`${m[2]}${frac}`);
  return m[1] === "-" ? -n : n;
}

const scaleOf = (text: string) => DECIMAL_RE.exec(text)?.[3]?.length ?? 0;

/**
 * The exact sum of decimal strings, with as many decimals as the most precise of them
 * (`["0.1", "0.2"]` -> `0.3`, `["1.5", "2.25"]` -> `3.75`, `[]` -> `0`). Throws on a non-decimal.
 */
export function sumDecimals(values: readonly string[]): string {
  for (const v of values) if (normalizeDecimal(v) === undefined) throw new Error(`not a decimal: ${v}`);
  const scale = Math.max(0, ...values.map(scaleOf));
  const total = values.reduce((acc, v) => acc + scaled(v, scale), 0n);
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${neg ? "-" : ""}${int}${scale ? `.${frac}` : ""}`;
}

/** -1, 0 or 1 as a < b, a = b, a > b (exact). */
export function compareDecimals(a: string, b: string): number {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}
