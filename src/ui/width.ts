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
  // CJK ideographs, Hangul syllables and fullwidth forms are wide (EastAsianWidth W or F): the
  // characters of a Chinese listing, without a regular expression or a table search each.
  if (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xff01 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6)
  )
    return 3;
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
  return cutToWidth(s, max);
}

/**
 * `s` cut to at most `max` columns with an ellipsis, for text known to be wider (truncateToWidth
 * without its measuring first: a listing at a narrow terminal cuts thousands of titles).
 */
export function cutToWidth(s: string, max: number): { text: string; width: number } {
  if (max <= 0) return { text: "", width: 0 };
  const room = max - 1;
  let w = 0;
  let i = 0;
  while (i < s.length) {
    const cu = s.charCodeAt(i);
    let cw: number;
    let len = 1;
    if (cu < 0x7f) cw = 1;
    else if (cu >= 0xd800 && cu <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      len = lo >= 0xdc00 && lo <= 0xdfff ? 2 : 1;
      cw = len === 2 ? Math.max(0, cpWidth(0x10000 + ((cu - 0xd800) << 10) + (lo - 0xdc00))) : 1;
    } else {
      let c = bmp[cu] as number;
      if (c === 0) {
        c = classify(cu);
        bmp[cu] = c;
      }
      cw = c === UNSAFE ? 0 : c - 1;
    }
    if (w + cw > room) break;
    w += cw;
    i += len;
  }
  return { text: s.slice(0, i) + ELLIPSIS, width: w + 1 };
}
