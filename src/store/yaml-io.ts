import { readFileSync } from "node:fs";
import type { Document } from "yaml";
import type { Problem } from "../core/problems.js";
import { OfficeError } from "../core/problems.js";
import { yaml } from "./lazy.js";
import { emitSimpleYaml } from "./yaml-emit.js";

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

/** Our YAML style: block style, no line folding, UTF-8 text as is (Chinese is never escaped). */
export function toYaml(value: unknown): string {
  return emitSimpleYaml(value) ?? yaml().stringify(value, quoteBinaryLike, YAML_OPTIONS);
}

/**
 * The yaml package writes `0b101` plain (not a number in YAML 1.2), and js-yaml, which reads the
 * records, takes it for the number 5: such strings are written in double quotes.
 */
function quoteBinaryLike(_key: unknown, v: unknown): unknown {
  if (typeof v !== "string" || !/^[-+]?0b[01]+$/.test(v)) return v;
  const s = new (yaml().Scalar)(v);
  s.type = "QUOTE_DOUBLE";
  return s;
}

/** How every YAML file office-doc writes is laid out. */
export const YAML_OPTIONS = {
  lineWidth: 0,
  minContentWidth: 0,
  indentSeq: true,
  aliasDuplicateObjects: false,
} as const;
