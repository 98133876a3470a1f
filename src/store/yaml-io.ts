import { readFileSync } from "node:fs";
import type { Document } from "yaml";
import type { Problem } from "../core/problems.js";
import { OfficeError } from "../core/problems.js";
import { isMap } from "../core/raw.js";
import { yaml } from "./lazy.js";
import { ESCAPED_CHAR, emitYaml, escapeChar, plainString } from "./yaml-emit.js";

/** A parsed YAML file that can tell on which line a key path stands. */
export interface YamlFile {
  file: string;
  text: string;
  doc: Document;
  value: unknown;
  lineOf(path: (string | number)[]): number;
}

/** A problem placed in a file: what `check` prints as `file:line: message`. */
export interface FileProblem extends Problem {
  file: string;
  line: number;
}

/**
 * Parse YAML text. Syntax errors throw an OfficeError naming `file` and the line, so a broken
 * hand-edited file is never skipped silently.
 */
export function parseYamlText(text: string, file: string): YamlFile {
  const { LineCounter, parseDocument, isNode } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0];
    // linePos is only filled with prettyErrors; the offset always is.
    const line = e ? lc.linePos(e.pos[0]).line : 1;
    const message = (e?.message ?? "").split("\n")[0] ?? "";
    throw new OfficeError("failed", "store.bad-yaml", { file, line, message }, [], file);
  }
  const lineOf = (path: (string | number)[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { file, text, doc, value: doc.toJS({ maxAliasCount: 100 }), lineOf };
}

export function readYamlFile(path: string, display: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new OfficeError(
      "failed",
      "store.unreadable",
      { file: display, message: (e as Error).message },
      [],
      display,
    );
  }
  return parseYamlText(text, display);
}

export function placeProblems(y: YamlFile, problems: Problem[]): FileProblem[] {
  return problems.map((p) => ({ ...p, file: y.file, line: y.lineOf(p.path) }));
}

/**
 * The YAML text office-doc writes for a map (a record, a calendar, a workflow): block style, UTF-8
 * as is (Chinese is never escaped), every string read back as itself by the yaml package, js-yaml
 * and PyYAML (see yaml-emit.ts). Throws a TypeError for a value that is not a map.
 */
export function toYaml(value: unknown): string {
  if (!isMap(value)) throw new TypeError("office-doc writes a YAML file from a map");
  return emitYaml(value);
}

/** What the yaml package leaves raw inside double quotes and YAML 1.1 forbids or reads as a break. */
const LEFT_RAW = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

/**
 * The text of an edited YAML document (office.yaml, whose comments and layout the yaml package keeps),
 * with toYaml's rule for strings: every string that plainString would not write plain, and every one
 * holding a character YAML 1.1 forbids, is double-quoted, keys too; what the yaml package leaves raw
 * inside those quotes (DEL, C1 controls, U+2028/2029, U+FEFF, U+FFFE/FFFF) is escaped.
 */
export function documentText(doc: Document): string {
  const { visit } = yaml();
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string") return;
      const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE";
      if (ESCAPED_CHAR.test(node.value) || !(quoted || plainString(node.value))) node.type = "QUOTE_DOUBLE";
    },
  });
  // Outside a double-quoted string such a character could stand only in a comment, where an escape
  // changes no value.
  return doc.toString({ lineWidth: 0 }).replace(LEFT_RAW, escapeChar);
}
