/**
 * Text that came from a record, a registry file or the command line, made safe to show, and the
 * checks a single-line field needs. Pure: no terminal, no I/O.
 *
 * A field may hold anything a clerk (or a hostile caller's name, or a hand-edited file) put there.
 * Written raw to a terminal, `\x1b]0;…\x07` retitles the window, `\x1b[2J` clears the screen,
 * `\x1b[1A\x1b[2K` erases the line above, U+009B starts a command sequence in 8-bit terminals, and
 * U+202E (right-to-left override) shows `exe.txt` as `txt.exe`. Shown escaped, each is visible as
 * what it is and does nothing.
 */

/**
 * Characters never written raw for people to read: C0 controls (U+0000–U+001F), DEL, C1 controls
 * (U+0080–U+009F), the bidirectional formatting characters (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069; Unicode UAX #9) and the line and paragraph separators (U+2028,
 * U+2029). Line feed and tab are among them here; callers decide whether to keep those.
 */
const BIDI_AND_SEPARATORS = "\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const UNSAFE = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${BIDI_AND_SEPARATORS}]`);
const UNSAFE_ALL = new RegExp(UNSAFE.source, "g");
/** Any of them besides line feeds and tabs (a CR is among them: the next pattern spares CR LF). */
const UNSAFE_BESIDES_LINES = new RegExp(
  `[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI_AND_SEPARATORS}]`,
);
/** The same, less a carriage return that ends a line (CR LF). */
const UNSAFE_BUT_LINES = new RegExp(
  `[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f${BIDI_AND_SEPARATORS}]|\\r(?!\\n)`,
  "g",
);

/** Is `cp` (a UTF-16 code unit or code point) one of the characters escaped for display? */
export function isUnsafeCodePoint(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0x61c ||
    cp === 0x200e ||
    cp === 0x200f ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  );
}

/**
 * One character as people should see it: `\x1b` below U+0020, `\u202e` from DEL up. The second
 * form is also JSON's, so escaping the text of a JSON document (where JSON.stringify leaves DEL, C1
 * and bidi characters raw) keeps every value it holds exactly.
 */
export function escapeChar(ch: string): string {
  const cp = ch.charCodeAt(0);
  return cp < 0x20 ? `\\x${cp.toString(16).padStart(2, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
}

/** Does `text` hold any character that escapeControls would escape (line feed and tab included)? */
export function hasUnsafeChars(text: string): boolean {
  return UNSAFE.test(text);
}

/**
 * `text` with every control, bidi formatting and separator character escaped visibly (escapeChar),
 * line feeds and tabs included: for one line, or one cell, of text.
 */
export function escapeControls(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

/**
 * `text` as it may reach a terminal: escapeControls, except that line feeds, tabs and the carriage
 * return of a CR LF line end stay as they are (several lines of text, CSV). For anything written for
 * people: listings, messages, prompts' labels and defaults.
 */
export function sanitizeForTerminal(text: string): string {
  // One scan of text without such characters (~1.5 ms a megabyte): a listing's JSON is a few.
  return UNSAFE_BESIDES_LINES.test(text) ? text.replace(UNSAFE_BUT_LINES, escapeChar) : text;
}

/**
 * The most characters (code points) a single-line text holds: a title, an issuer, a name, a caller, a
 * document number (issue 12: a 100 KB title made every listing take half a minute).
 */
export const MAX_LINE_CHARS = 500;
/** The most characters a multi-line text holds: an opinion, a note, a reason, a summary, an answer. */
export const MAX_TEXT_CHARS = 5000;

/** What is wrong with a value of a single-line field, and where (see singleLineProblem). */
export type SingleLineProblem =
  | { problem: "line-break"; index: number; char: string }
  | { problem: "control"; index: number; char: string }
  | { problem: "too-long"; length: number; max: number };

const LINE_BREAKS = new Set([0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029]);

/**
 * Why `text` is not acceptable in a single-line field (a title, an issuer, a name, a caller, a
 * document number), or undefined when it is: a line break (LF, VT, FF, CR, NEL, U+2028, U+2029), any
 * other control or bidi formatting character (isUnsafeCodePoint; tab included), or more than
 * `maxChars` characters (code points, so that a CJK character outside the BMP counts once).
 * `index` is the UTF-16 offset of the first offending character; `char` shows it escaped (`\x1b`).
 * The first problem in the text wins; length is checked last.
 */
export function singleLineProblem(text: string, maxChars: number): SingleLineProblem | undefined {
  if (UNSAFE.test(text)) {
    for (let i = 0; i < text.length; i++) {
      const cp = text.charCodeAt(i);
      if (!isUnsafeCodePoint(cp)) continue;
      const char = escapeChar(text[i] as string);
      return LINE_BREAKS.has(cp)
        ? { problem: "line-break", index: i, char }
        : { problem: "control", index: i, char };
    }
  }
  if (text.length > maxChars) {
    const n = codePoints(text);
    if (n > maxChars) return { problem: "too-long", length: n, max: maxChars };
  }
  return undefined;
}

/** Code points in `text`: a character outside the BMP (CJK Extension B) counts once. */
function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Why `text` is not acceptable as multi-line free text (an opinion, a note, a reason, a field the
 * workflow marks `multiline: true`), or undefined when it is: line feeds, tabs and CR LF line ends
 * are text; any other control or bidi formatting character (a lone CR, an escape sequence, U+2028) is
 * a `control` problem; more than `maxChars` characters is `too-long`.
 */
export function multiLineProblem(text: string, maxChars: number): SingleLineProblem | undefined {
  if (UNSAFE_BESIDES_LINES.test(text)) {
    for (let i = 0; i < text.length; i++) {
      const cp = text.charCodeAt(i);
      if (cp === 0x0a || cp === 0x09 || (cp === 0x0d && text.charCodeAt(i + 1) === 0x0a)) continue;
      if (isUnsafeCodePoint(cp)) return { problem: "control", index: i, char: escapeChar(text[i] as string) };
    }
  }
  if (text.length > maxChars) {
    const n = codePoints(text);
    if (n > maxChars) return { problem: "too-long", length: n, max: maxChars };
  }
  return undefined;
}
