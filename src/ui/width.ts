import { eastAsianWidth } from "get-east-asian-width";
import { isUnsafeCodePoint } from "../core/text.js";

/**
 * How many terminal columns text takes: East Asian Wide and Fullwidth characters (CJK, fullwidth
 * punctuation, Hangul syllables, emoji presentation) two, marks and invisible formatting none,
 * everything else one (ambiguous characters such as `·` `—` `…` narrow, as terminals show them by
 * default). The widths come from get-east-asian-width (Unicode's EastAsianWidth.txt), the table
 * string-width uses; string-width itself segments every string into graphemes (Intl.Segmenter)
 * and took ~0.5–0.8 s for the ~35,000 cells of a 5,000-row listing where this loop takes ~10–30 ms
 * (README, "Performance"). What string-width does beyond it, and this does not: emoji ZWJ and
 * keycap sequences and emoji made wide by U+FE0F count as their parts, and conjoining Hangul jamo
 * are not joined (test/ui/width.test.ts holds the rest to string-width).
 */

/**
 * Per code unit of the BMP, filled on first sight: 0 not seen yet, 1 + width (0–2) otherwise, and
 * UNSAFE for the characters escapeControls escapes (they have no width of their own: shown
 * escaped they take the width of their escape).
 */
const UNSAFE = 4;
const bmp = new Uint8Array(0x10000);
const astral = new Map<number, number>();
// Default_Ignorable covers the zero-width space, joiners, variation selectors and the BOM.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Default_Ignorable_Code_Point}]$/u;

function classify(cp: number): number {
  if (isUnsafeCodePoint(cp)) return UNSAFE;
  if (cp >= 0xd800 && cp <= 0xdfff) return 1; // a lone surrogate: written as U+FFFD, but rare enough
  if (ZERO_WIDTH.test(String.fromCodePoint(cp))) return 1;
  return 1 + eastAsianWidth(cp);
}

/** Width of one code point: 0–2 columns, or -1 for a character escapeControls escapes. */
function cpWidth(cp: number): number {
  let c: number | undefined;
  if (cp < 0x10000) {
    c = bmp[cp] as number;
    if (c === 0) {
      c = classify(cp);
      bmp[cp] = c;
    }
  } else {
    c = astral.get(cp);
    if (c === undefined) {
      c = classify(cp);
      astral.set(cp, c);
    }
  }
  return c === UNSAFE ? -1 : c - 1;
}

/**
 * Display width of `s`, or -1 when `s` holds a character escapeControls would escape (a control,
 * a bidi override, a line feed or tab): the caller escapes or replaces those first. One pass, for
 * the many cells of a listing.
 */
export function measure(s: string): number {
  let w = 0;
  for (let i = 0; i < s.length; i++) {
    const cp = s.charCodeAt(i);
    if (cp < 0x7f) {
      if (cp < 0x20) return -1;
      w++;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        const c = cpWidth(0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00));
        if (c < 0) return -1;
        w += c;
        i++;
        continue;
      }
    }
    // The BMP table inline: most of a Chinese listing's characters pass here.
    let c = bmp[cp] as number;
    if (c === 0) {
      c = classify(cp);
      bmp[cp] = c;
    }
    if (c === UNSAFE) return -1;
    w += c - 1;
  }
  return w;
}

/**
 * Display width of `s` (terminal columns). Control characters count as nothing: text is escaped
 * before it is laid out (escapeControls), and this measures what is shown.
 */
export function displayWidth(s: string): number {
  const w = measure(s);
  if (w >= 0) return w;
  let n = 0;
  for (const ch of s) n += Math.max(0, cpWidth(ch.codePointAt(0) as number));
  return n;
}

/** The ellipsis that ends a truncated cell (narrow in every terminal that does not widen ambiguous characters). */
export const ELLIPSIS = "\u2026";

/**
 * `s` cut to at most `max` columns, ending in `…` when anything was cut (or when `cut` says the
 * text was already shortened), with its width. `s` must hold no unsafe character (escape it first).
 * A wide character that would straddle the limit is left out whole.
 */
export function truncateToWidth(s: string, max: number, cut = false): { text: string; width: number } {
  if (!cut) {
    const w = measure(s);
    if (w >= 0 && w <= max) return { text: s, width: w };
  }
  if (max <= 0) return { text: "", width: 0 };
  const room = max - 1;
  let w = 0;
  let i = 0;
  while (i < s.length) {
    let cp = s.charCodeAt(i);
    let len = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        len = 2;
      }
    }
    const cw = cp < 0x7f ? 1 : cpWidth(cp);
    if (cw > 0 && w + cw > room) break;
    if (cw > 0) w += cw;
    i += len;
  }
  return { text: s.slice(0, i) + ELLIPSIS, width: w + 1 };
}
