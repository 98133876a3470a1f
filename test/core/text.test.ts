import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { textProblem } from "../../src/core/record.js";
import {
  escapeChar,
  escapeControls,
  hasUnsafeChars,
  isUnsafeCodePoint,
  multiLineProblem,
  sanitizeForTerminal,
  singleLineProblem,
} from "../../src/core/text.js";
import { hostileText, RAW_CONTROL } from "../hostile.js";

describe("escapeChar", () => {
  it.each([
    ["\u001b", "\\x1b"],
    ["\u0000", "\\x00"],
    ["\u0007", "\\x07"],
    ["\n", "\\x0a"],
    ["\u007f", "\\u007f"],
    ["\u009b", "\\u009b"],
    ["\u202e", "\\u202e"],
    ["\u2028", "\\u2028"],
  ])("%j -> %s", (ch, shown) => {
    expect(escapeChar(ch)).toBe(shown);
  });
});

describe("escapeControls and sanitizeForTerminal", () => {
  it.each([
    ["a title", "a title", "a title"],
    ["\u001b]0;owned\u0007", "\\x1b]0;owned\\x07", "\\x1b]0;owned\\x07"],
    ["\u001b[2J", "\\x1b[2J", "\\x1b[2J"],
    ["\u001b[1A\u001b[2K", "\\x1b[1A\\x1b[2K", "\\x1b[1A\\x1b[2K"],
    ["exe.\u202etxt", "exe.\\u202etxt", "exe.\\u202etxt"],
    ["line\nnext", "line\\x0anext", "line\nnext"],
    ["a\tb", "a\\x09b", "a\tb"],
    ["crlf\r\nend", "crlf\\x0d\\x0aend", "crlf\r\nend"],
    ["overwrite\rfake", "overwrite\\x0dfake", "overwrite\\x0dfake"],
    ["关于〔2026〕3号", "关于〔2026〕3号", "关于〔2026〕3号"],
  ])("%j", (text, one, many) => {
    expect(escapeControls(text)).toBe(one);
    expect(sanitizeForTerminal(text)).toBe(many);
  });

  it("escapeControls leaves no control, bidi or separator character at all", () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        expect(escapeControls(s)).not.toMatch(RAW_CONTROL);
      }),
    );
  });

  it("sanitizeForTerminal leaves only line feeds, tabs and the CR of CR LF", () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        const out = sanitizeForTerminal(s)
          .replace(/\r\n/g, "")
          .replace(/[\n\t]/g, "");
        expect(out).not.toMatch(RAW_CONTROL);
      }),
    );
  });

  it("text without such characters is returned as it is", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        if (hasUnsafeChars(s)) return;
        expect(escapeControls(s)).toBe(s);
        expect(sanitizeForTerminal(s)).toBe(s);
      }),
    );
  });

  it("a JSON document escaped for the terminal still parses to exactly the same values", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hostileText, fc.string({ unit: "binary" }))), (values) => {
        const doc = JSON.stringify({ values }, null, 2);
        const shown = sanitizeForTerminal(doc);
        expect(shown.replace(/[\n]/g, "")).not.toMatch(RAW_CONTROL);
        expect(JSON.parse(shown)).toEqual({ values });
      }),
    );
  });

  it("isUnsafeCodePoint agrees with the pattern", () => {
    const differ: number[] = [];
    for (let cp = 0; cp < 0x2100; cp++)
      if (isUnsafeCodePoint(cp) !== RAW_CONTROL.test(String.fromCharCode(cp))) differ.push(cp);
    expect(differ).toEqual([]);
  });
});

describe("singleLineProblem", () => {
  it.each<[string, number, ReturnType<typeof singleLineProblem>]>([
    ["关于做好防汛工作的通知", 500, undefined],
    ["区应急发〔2026〕12号", 50, undefined],
    ["a\nb", 500, { problem: "line-break", index: 1, char: "\\x0a" }],
    ["a\r\nb", 500, { problem: "line-break", index: 1, char: "\\x0d" }],
    ["title\u2028---", 500, { problem: "line-break", index: 5, char: "\\u2028" }],
    ["x\u0085y", 500, { problem: "line-break", index: 1, char: "\\u0085" }],
    ["\u001b[2Jtitle", 500, { problem: "control", index: 0, char: "\\x1b" }],
    ["a\tb", 500, { problem: "control", index: 1, char: "\\x09" }],
    ["exe.\u202etxt", 500, { problem: "control", index: 4, char: "\\u202e" }],
    ["x".repeat(501), 500, { problem: "too-long", length: 501, max: 500 }],
    ["x".repeat(500), 500, undefined],
    // A character outside the BMP (CJK Extension B) counts once.
    ["\u{20000}".repeat(500), 500, undefined],
    ["\u{20000}".repeat(501), 500, { problem: "too-long", length: 501, max: 500 }],
  ])("%j (max %i)", (text, max, problem) => {
    expect(singleLineProblem(text, max)).toEqual(problem);
  });

  it("accepts exactly the short texts that escapeControls leaves as they are", () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        expect(singleLineProblem(s, 10_000) === undefined).toBe(escapeControls(s) === s);
      }),
    );
  });
});

describe("multiLineProblem", () => {
  it.each<[string, number, ReturnType<typeof multiLineProblem>]>([
    ["同意。\n请城管科办理。", 5000, undefined],
    ["a\r\nb\tc", 5000, undefined],
    ["a\rb", 5000, { problem: "control", index: 1, char: "\\x0d" }],
    ["ok\u001b[2J", 5000, { problem: "control", index: 2, char: "\\x1b" }],
    ["x\u2028y", 5000, { problem: "control", index: 1, char: "\\u2028" }],
    ["\u202eexe", 5000, { problem: "control", index: 0, char: "\\u202e" }],
    ["x".repeat(5001), 5000, { problem: "too-long", length: 5001, max: 5000 }],
    ["\n".repeat(5000), 5000, undefined],
  ])("%j (max %i)", (text, max, problem) => {
    expect(multiLineProblem(text, max)).toEqual(problem);
  });

  it("accepts exactly what sanitizeForTerminal leaves as it is (short texts)", () => {
    fc.assert(
      fc.property(hostileText, (s) => {
        expect(multiLineProblem(s, 10_000) === undefined).toBe(sanitizeForTerminal(s) === s);
      }),
    );
  });
});

describe("textProblem (record.ts): the codes the command line reports", () => {
  it.each<[string, boolean, ReturnType<typeof textProblem>]>([
    ["关于\n通知", false, { code: "field.line-break", params: { char: "\\x0a", pos: 3 } }],
    ["\u{20000}\u001b", false, { code: "field.control-char", params: { char: "\\x1b", pos: 2 } }],
    ["文".repeat(501), false, { code: "field.too-long", params: { length: 501, max: 500 } }],
    ["文".repeat(501), true, undefined],
    ["a\nb", true, undefined],
  ])("%j (multiline %s)", (text, multiline, problem) => {
    expect(textProblem(text, multiline)).toEqual(problem);
  });
});
