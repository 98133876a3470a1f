/**
 * What an attacker types into a field, for the output-safety tests: escape sequences that retitle a
 * terminal, clear it or erase lines, an 8-bit CSI, bidi overrides, line breaks and NULs, mixed with
 * Chinese text, spreadsheet formulas and arbitrary code units.
 */
import fc from "fast-check";

/** Any C0 or C1 control, DEL, bidi formatting or separator character: what a terminal must never get raw. */
const CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f";
export const RAW_CONTROL = new RegExp(
  `[${CONTROLS}\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]`,
);

/** Hostile pieces joined: strings of up to a dozen of them. */
export const hostileText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "\u001b]0;pwned\u0007",
        "\u001b[2J",
        "\u001b[1A\u001b[2K",
        "\u009b2J",
        "\u202eexe.txt",
        "\u2066",
        "\u2067",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\u0000",
        "\u007f",
        "\u0085",
        "\u2028",
        "关于做好防汛工作的通知",
        "〔2026〕",
        "|",
        "=1+1",
        '=HYPERLINK("x")',
        "\\x1b",
      ),
      fc.string({ unit: "binary", maxLength: 6 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));
