import fc from "fast-check";
import { parseDocument } from "yaml";
import { documentText } from "../../src/store/yaml-io.js";

/**
 * Strings that YAML readers have taken for something else than the text typed, or refused: the
 * implicit types of YAML 1.1 (PyYAML) and 1.2 (the yaml package, js-yaml), indicators, comments,
 * characters YAML 1.1 forbids or reads as line breaks, and what UTF-8 cannot hold.
 */
export const DANGEROUS: string[] = [
  // numbers in every form some reader knows
  "0",
  "-0",
  "+0",
  "42",
  "-7",
  "+5",
  "007",
  "0042",
  "13800138000",
  "010-62345678",
  "1_000",
  "+1_000",
  "0x1F",
  "+0x1F",
  "-0x1f",
  "0X1F",
  "0o17",
  "+0o17",
  "017",
  "0b101",
  "-0b1",
  "0b1_0",
  "1.5",
  "-1.5",
  "1.",
  ".5",
  "-.5",
  "1e3",
  "1E3",
  "1e+3",
  "1.0e+21",
  "6.8523015e+5",
  "685.230_15e+03",
  "685_230.15",
  "1:20",
  "190:20:30",
  "-1:20",
  "190:20:30.15",
  ".inf",
  "-.inf",
  "+.inf",
  ".Inf",
  ".INF",
  ".nan",
  ".NaN",
  ".NAN",
  "30y",
  "10y",
  "1,000",
  // timestamps
  "2026-02-13",
  "2026-2-3",
  "2026-02-13T09:00:00+08:00",
  "2001-12-14t21:59:43.10-05:00",
  "2001-12-14 21:59:43.10 -5",
  "2001-12-15 2:59:43.10",
  "2002-12-14",
  "2026-02-30",
  "12:30",
  // null and booleans of both versions
  "",
  "~",
  "null",
  "Null",
  "NULL",
  "nULL",
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
  "tRUE",
  "yes",
  "Yes",
  "YES",
  "no",
  "No",
  "NO",
  "on",
  "On",
  "ON",
  "off",
  "Off",
  "OFF",
  "y",
  "Y",
  "n",
  "N",
  // YAML 1.1 merge and value keys, tags, anchors, directives, reserved indicators
  "<<",
  "=",
  "<<: *a",
  "!!str x",
  "!x",
  "&a",
  "*a",
  "%YAML 1.1",
  "@张三",
  "`cmd`",
  "|",
  "|-",
  ">",
  ">-",
  "'引号'",
  '"引号"',
  "'",
  '"',
  "?",
  "? x",
  "- ",
  "- 列表",
  "-",
  "--",
  "---",
  "...",
  ":",
  "::",
  "a:",
  "备注:",
  "a: b",
  "会议：时间 10: 00",
  "a:b",
  "http://x.cn/a#b",
  "#3",
  "见 #3",
  "第#3号",
  "[急]",
  "{a: 1}",
  "a, b",
  ",",
  "[",
  "]",
  "{",
  "}",
  // white space where a plain scalar cannot keep it
  " ",
  "  ",
  " 空格",
  "空格 ",
  "\u3000缩进",
  "缩进\u3000",
  "\u00a0x",
  "a  b",
  "a\tb",
  "\t",
  "第一行\n第二行",
  "\n",
  "a\n",
  "\na",
  "a\r\nb",
  "\r",
  "a \n b",
  // characters YAML 1.1 forbids in a file, or reads as line breaks; BOM; non-characters
  "\u0000",
  "a\u0007b",
  "\u001b[31m",
  "\u007f",
  "a\u0085b",
  "\u0085",
  "\u009b",
  "\u0080",
  "\u009f",
  "a\u2028b",
  "a\u2029b",
  "\ufeffx",
  "x\ufeff",
  "\ufffe",
  "\uffff",
  "\ufffd",
  // lone surrogates, pairs, emoji
  "\ud800",
  "a\udc00b",
  "\udbff\ud800",
  "😀",
  "📞热线",
  "\ud83d\ude00\ud83d",
  // escapes and quotes
  "\\",
  "a\\nb",
  '\\"',
  "\\x41",
  "\\u2028",
  'he said "hi"',
  "it's",
  // the common case
  "关于做好春节期间值班工作的通知",
  "区民发〔2026〕12号",
  "IN-2026-0001",
  "liu-qingzhu",
  "2026年工作要点",
  "Z109-WS·2026-D10-0001",
];

/** Numbers and timestamps as YAML 1.1 and 1.2 spell them, with signs and underscores. */
const numberLike = fc
  .tuple(
    fc.constantFrom("", "+", "-", "."),
    fc.constantFrom("0x", "0o", "0b", "0", "", "1_", "0.", "."),
    fc.stringMatching(/^[0-9a-fA-F_]{1,6}$/),
    fc.constantFrom("", ".", "e3", "e+3", "E-3", ":20", ":20:30", ".5", "_0"),
  )
  .map((parts) => parts.join(""));

const timestampLike = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 19 }),
    fc.integer({ min: 0, max: 39 }),
    fc.constantFrom("", "T09:00:00+08:00", "t21:59:43.10-05:00", " 21:59:43.10 -5", " 2:59:43.10"),
  )
  .map(([y, m, d, t]) => `${String(y).padStart(4, "0")}-${m}-${String(d).padStart(2, "0")}${t}`);

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlChar = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((c) => String.fromCharCode(c));

/** Pieces that change how a scalar is read when they meet: joined in any order. */
const piece = fc.oneof(
  fc.constantFrom(...DANGEROUS),
  fc.constantFrom(" ", ": ", " #", "#", "- ", "? ", ":", "\t", "\n", "\r", "\u3000", "\u2028", "\u0085"),
  fc.constantFrom("!", "&", "*", "%", "@", "`", "|", ">", "'", '"', "\\", "~", "<<", "=", ",", "[", "{"),
  loneSurrogate,
  controlChar,
  numberLike,
  fc.string({ unit: "binary", maxLength: 4 }),
  fc.string({ unit: "grapheme", maxLength: 4 }),
);

/** Any Unicode string, with the dangerous shapes far likelier than chance would make them. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DANGEROUS) },
  { weight: 2, arbitrary: numberLike },
  { weight: 1, arbitrary: timestampLike },
  { weight: 3, arbitrary: fc.array(piece, { maxLength: 6 }).map((a) => a.join("")) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 12 }) },
);

/**
 * A record as office-doc writes it (an incoming document in the middle of its handling), with
 * `text(i)` in each of its text fields, and `key` as the key of `extra`.
 */
export function recordWith(
  text: (i: number) => string,
  key = text(7).slice(0, 1000),
): Record<string, unknown> {
  return {
    id: "IN-2026-0001",
    kind: "incoming",
    title: text(0),
    status: "open",
    step: "undertake",
    holders: [text(1), "urban"],
    due: text(2),
    deadline: null,
    created: "2026-03-02T09:10:00+08:00",
    fields: { from: text(3), doc_number: text(4), pages: 4, summary: text(5), attachments: [text(6)] },
    extra: { [key]: text(8) },
    signatures: [],
    history: [
      { action: "receive", at: "2026-03-02T09:10:00+08:00", actor: "liu-qingzhu", step: "propose" },
      {
        action: "sign",
        at: text(9),
        actor: text(10),
        recorded_by: "yu-kai",
        opinion: text(11),
        to: [text(12), text(13)],
        changes: { unit: text(14) },
      },
    ],
  };
}

/** How many text fields recordWith fills. */
export const RECORD_TEXTS = 15;

/**
 * An office.yaml-like document with comments, edited as `person add` edits it: the strings as names,
 * as a list and as keys. Returns its value and documentText's text.
 */
export function editedDocument(strings: string[]): { value: Record<string, unknown>; text: string } {
  const doc = parseDocument("# 办公室配置\nname: X街道办事处 # 名称\ntimezone: Asia/Shanghai\npeople: []\n");
  const people = strings.map((s, i) => ({ id: `p${i}`, name: s }));
  const keys = Object.fromEntries(strings.map((s) => [s.slice(0, 1000), s]));
  doc.set("people", doc.createNode(people));
  doc.set("list", doc.createNode(strings));
  doc.set("keys", doc.createNode(keys));
  const value = { name: "X街道办事处", timezone: "Asia/Shanghai", people, list: strings, keys };
  return { value, text: documentText(doc) };
}
