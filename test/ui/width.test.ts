import fc from "fast-check";
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { displayWidth, ELLIPSIS, measure, truncateToWidth } from "../../src/ui/width.js";

/**
 * The characters of the registers and listings: ASCII, CJK ideographs (and Extension B), the
 * full-width punctuation of official documents (〔〕《》（）、，。：；), middle dot and dashes (ambiguous:
 * narrow), Hangul syllables, half-width katakana, combining marks, zero-width characters, and emoji
 * that are wide on their own. Not: emoji ZWJ and keycap sequences, emoji made wide by U+FE0F, and
 * conjoining Hangul jamo, which string-width joins into one wide cluster and displayWidth counts by
 * their parts (see src/ui/width.ts).
 */
const CORPUS = [
  ..."abcXYZ019 -_./:@#()[]{}|~",
  ..."关于做好防汛工作的通知区应急管理局城市管理科李建国王守杰",
  "\u{20000}",
  "\u{2A6D6}",
  ..."〔〕《》（）、，。：；！？「」【】",
  ..."·—–…‘’“”°±×÷",
  ..."한국어",
  ..."ｱｲｳ",
  ..."\u0301\u0308\u20dd",
  // Not the zero-width joiner: between two emoji it makes one ZWJ sequence.
  ..."\u200b\u2060\ufeff",
  ..."📞🏢🚧",
];

describe("displayWidth", () => {
  it("agrees with string-width on the characters office-doc shows", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CORPUS), { maxLength: 40 }), (chars) => {
        const s = chars.join("");
        expect(displayWidth(s)).toBe(stringWidth(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with string-width on every BMP character alone (controls and surrogates aside)", () => {
    const differ: string[] = [];
    for (let cp = 0x20; cp < 0x10000; cp++) {
      if ((cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff)) continue;
      const ch = String.fromCharCode(cp);
      const w = measure(ch);
      if (w >= 0 && w !== stringWidth(ch)) differ.push(cp.toString(16));
    }
    expect(differ).toEqual([]);
  });

  it("is -1 from measure (to be escaped first) for controls, bidi overrides and separators", () => {
    for (const s of ["a\u001bb", "\n", "\t", "x\u202ey", "\u2028", "\u0085", "\u007f"])
      expect(measure(s)).toBe(-1);
    expect(displayWidth("a\u001bb")).toBe(2);
  });
});

describe("truncateToWidth", () => {
  it.each([
    ["关于做好防汛工作的通知", 10, "关于做好…", 9],
    ["关于做好防汛工作的通知", 22, "关于做好防汛工作的通知", 22],
    ["关于做好防汛工作的通知", 21, "关于做好防汛工作的通…", 21],
    ["Notice on flood prevention", 10, "Notice on…", 10],
    ["ab", 1, "…", 1],
    ["ab", 0, "", 0],
  ])("%j in %i columns", (s, max, text, width) => {
    expect(truncateToWidth(s, max)).toEqual({ text, width });
  });

  it("is never wider than asked, keeps a prefix, and ends in an ellipsis exactly when it cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...CORPUS), { maxLength: 60 }),
        fc.integer({ min: 1, max: 50 }),
        (chars, max) => {
          const s = chars.join("");
          const t = truncateToWidth(s, max);
          expect(t.width).toBeLessThanOrEqual(max);
          expect(displayWidth(t.text)).toBe(t.width);
          if (displayWidth(s) <= max) expect(t.text).toBe(s);
          else {
            expect(t.text.endsWith(ELLIPSIS)).toBe(true);
            expect(s.startsWith(t.text.slice(0, -1))).toBe(true);
            // Nothing more would have fit: the next character is at least as wide as the room left.
            expect(t.width).toBeGreaterThanOrEqual(max - 1);
          }
        },
      ),
    );
  });

  it("with cut, always ends in an ellipsis", () => {
    expect(truncateToWidth("abc", 10, true)).toEqual({ text: `abc${ELLIPSIS}`, width: 4 });
  });
});
