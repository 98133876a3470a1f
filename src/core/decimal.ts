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

/** The number of decimals a stored decimal has (`12.50` -> 2, `3` -> 0). */
export const decimalPlaces = (text: string): number => scaleOf(text);

/** A scaled integer `n` (units of 10^-scale) as a decimal string with exactly `scale` decimals. */
function fromScaled(n: bigint, scale: number): string {
  const neg = n < 0n;
  const digits = (neg ? -n : n).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  // -0.00 is 0.00: a total that rounds to nothing has no sign.
  const zero = /^0*$/.test(int + frac);
  return `${neg && !zero ? "-" : ""}${int}${scale ? `.${frac}` : ""}`;
}

/** num / den rounded half away from zero (四舍五入) to an integer; den is not 0. */
function divRound(num: bigint, den: bigint): bigint {
  const neg = num < 0n !== den < 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  const q = (2n * a + b) / (2n * b);
  return neg ? -q : q;
}

/**
 * `text` rounded half away from zero (四舍五入, as statistical tables round) to `places` decimals and
 * written with exactly that many (`2.345`, 2 -> `2.35`; `-2.345` -> `-2.35`; `3`, 2 -> `3.00`).
 */
export function roundDecimal(text: string, places: number): string {
  const scale = scaleOf(text);
  const n = scaled(text, scale);
  if (scale <= places) return fromScaled(n * 10n ** BigInt(places - scale), places);
  return fromScaled(divRound(n, 10n ** BigInt(scale - places)), places);
}

/** a - b, exact. */
export function subtractDecimals(a: string, b: string): string {
  const nb = normalizeDecimal(b);
  if (nb === undefined) throw new Error(`not a decimal: ${b}`);
  const negated = nb.startsWith("-") ? nb.slice(1) : /^0(\.0+)?$/.test(nb) ? nb : `-${nb}`;
  return sumDecimals([a, negated]);
}

/**
 * The average of decimal strings rounded half away from zero to `places` decimals (exact: the sum
 * is exact and divided once). Undefined for no values.
 */
export function averageDecimals(values: readonly string[], places: number): string | undefined {
  if (!values.length) return undefined;
  const sum = sumDecimals(values);
  const scale = scaleOf(sum);
  // sum / n at `places` decimals: (sum * 10^places) / (n * 10^scale).
  const num = scaled(sum, scale) * 10n ** BigInt(places);
  return fromScaled(divRound(num, BigInt(values.length) * 10n ** BigInt(scale)), places);
}

/**
 * The change from `before` to `after` in per cent of |before|, rounded half away from zero to
 * `places` decimals (`100` -> `110`: `10.0`; `-50` -> `-25`: `50.0`). Undefined when `before` is 0.
 */
export function percentChange(before: string, after: string, places = 1): string | undefined {
  const scale = Math.max(scaleOf(before), scaleOf(after));
  const b = scaled(before, scale);
  if (b === 0n) return undefined;
  const diff = scaled(after, scale) - b;
  return fromScaled(divRound(diff * 100n * 10n ** BigInt(places), b < 0n ? -b : b), places);
}

/** A decimal written into JSON as a number exactly as it reads (`12.50`, never 12.5000000001). */
export class JsonDecimal {
  constructor(readonly text: string) {
    if (normalizeDecimal(text) !== text) throw new Error(`not a stored decimal: ${text}`);
  }
}

/**
 * JSON text laid out as `JSON.stringify(value, null, 2)` lays it out, with each JsonDecimal written as
 * the number it holds, digit for digit: scripts read exact figures (0.1 + 0.2 is written 0.3).
 */
export function jsonWithDecimals(value: unknown, indent = "  ", at = ""): string {
  if (value instanceof JsonDecimal) return value.text;
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const inner = at + indent;
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    const items = value.map((v) => inner + (v === undefined ? "null" : jsonWithDecimals(v, indent, inner)));
    return `[\n${items.join(",\n")}\n${at}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== "function");
  if (!entries.length) return "{}";
  const items = entries.map(
    ([k, v]) => `${inner}${JSON.stringify(k)}: ${jsonWithDecimals(v, indent, inner)}`,
  );
  return `{\n${items.join(",\n")}\n${at}}`;
}
