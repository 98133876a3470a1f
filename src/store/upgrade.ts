import type { Document } from "yaml";
import { applyEdits, type Edit, isFormat1, workflowUpgradeEdits } from "../core/upgrade.js";
import { yaml } from "./lazy.js";

/**
 * `office-doc upgrade`'s rewriting of a workflow file: core/upgrade.ts says what changes, this puts
 * the changes into the YAML document itself, so that the office's comments, key order and layout
 * stay where they were. New top-level keys go before `fields:`, `format: 2` first.
 */

/** Put one edit into the document: maps and lists it adds are flow style (one line), values one a line. */
function applyToDocument(doc: Document, edit: Edit): void {
  const { isMap, isSeq, Pair, Scalar } = yaml();
  const [head, ...rest] = edit.path;
  const node = doc.createNode(edit.value, { flow: true });
  if (rest.length === 0) {
    const top = doc.contents;
    if (!isMap(top)) return;
    const pair = new Pair(new Scalar(head), node);
    const at =
      head === "format" ? 0 : top.items.findIndex((p) => (p.key as { value?: unknown })?.value === "fields");
    if (at === 0 && top.items[0]) {
      // The file's opening comment stays above everything.
      const first = top.items[0].key as { commentBefore?: string | null };
      (pair.key as { commentBefore?: string | null }).commentBefore = first.commentBefore ?? null;
      first.commentBefore = null;
    }
    top.items.splice(at < 0 ? top.items.length : at, 0, pair);
    return;
  }
  const parent = doc.getIn(edit.path.slice(0, -1), true);
  // A list of labelled values reads best one value a line: its field leaves flow style for it.
  if (isSeq(node) && node.items.some((x) => isMap(x)) && isMap(parent)) {
    parent.flow = false;
    node.flow = false;
    for (const x of node.items) if (isMap(x)) x.flow = true;
  }
  doc.setIn(edit.path, node);
}

/**
 * The text of a format-1 workflow file in format 2, or undefined when it needs nothing (already
 * format 2, or not a mapping). Comments and layout are kept.
 */
export function upgradeWorkflowText(text: string): string | undefined {
  const doc = yaml().parseDocument(text);
  const raw = doc.toJS() as unknown;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (!isFormat1(r)) return undefined;
  const edits = workflowUpgradeEdits(r);
  for (const e of edits) applyToDocument(doc, e);
  const out = doc.toString({ lineWidth: 0, flowCollectionPadding: false });
  // The document must say exactly what the in-memory upgrade says.
  const check = JSON.stringify(yaml().parse(out));
  if (check !== JSON.stringify(applyEdits(r, edits)) && !sameContent(yaml().parse(out), applyEdits(r, edits)))
    throw new Error("upgrade: the rewritten workflow differs from the upgrade's edits");
  return out;
}

/** Equal as data, whatever the order of keys. */
function sameContent(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b))
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameContent(x, b[i]))
    );
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      ka.join() === kb.join() &&
      ka.every((k) => sameContent((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/**
 * office.yaml with the top-level `keys` it lacks added at its end, each with its value and the
 * comment above it in `template` (templates/office.yaml); undefined when it lacks none. The office's
 * own text is kept as it is.
 */
export function addOfficeKeys(text: string, template: string, keys: readonly string[]): string | undefined {
  const { isMap } = yaml();
  const doc = yaml().parseDocument(text);
  const tpl = yaml().parseDocument(template);
  if (!isMap(doc.contents) || !isMap(tpl.contents)) return undefined;
  const missing = [...new Set(keys)].filter((k) => !doc.has(k) && tpl.has(k));
  if (!missing.length) return undefined;
  const pairs = tpl.contents.items.filter((p) =>
    missing.includes(String((p.key as { value?: unknown })?.value)),
  );
  const additions = pairs
    .map((p) => {
      const one = new (yaml().Document)();
      one.contents = one.createNode({});
      (one.contents as { items: unknown[] }).items.push(p);
      return one.toString({ lineWidth: 0 });
    })
    .join("");
  return `${text.endsWith("\n") || text === "" ? text : `${text}\n`}${additions}`;
}
