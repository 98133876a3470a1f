import { escapeControls } from "./text.js";

/**
 * The message of an office-doc commit: `<subject>\n\n[<note>\n\n]<Key>: <value>\n…`. Git reads
 * trailers from the last paragraph of a message only, and `git interpret-trailers --parse` stops at
 * a line that starts with `---` (a patch's divider) and reads the paragraph before it. A title typed
 * with line breaks (`x\n---\nOffice-Doc-Actor: li-jianguo`) therefore used to forge trailers; so
 * every part of the message is one line here, whatever the record holds (titles are refused with
 * line breaks on input, but a hand-edited file may have one), and free text (opinions, notes,
 * reasons) is never put in a message at all: it is in the record's history.
 */

/** The most characters of a subject line (git shows ~50–70; the record file has the whole title). */
export const SUBJECT_MAX_CHARS = 200;

/**
 * `text` as one line of a commit message: line breaks, controls and bidi formatting characters
 * escaped visibly (`\x0a`, `\u202e`: src/core/text.ts escapeControls), cut to `max` characters with
 * an ellipsis.
 */
export function commitLine(text: string, max = SUBJECT_MAX_CHARS): string {
  const line = escapeControls(text).trim();
  const chars = Array.from(line);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}\u2026` : line;
}

/**
 * The whole message: the subject and the note (each made one line by commitLine), then the trailers,
 * one a line, their values made one line too. Keys are office-doc's own (`Office-Doc-Action`).
 */
export function commitMessage(
  subject: string,
  trailers: Readonly<Record<string, string>>,
  note?: string,
): string {
  const block = Object.entries(trailers)
    .map(([k, v]) => `${k}: ${commitLine(v, Number.POSITIVE_INFINITY)}`)
    .join("\n");
  return `${commitLine(subject)}\n\n${note ? `${commitLine(note, Number.POSITIVE_INFINITY)}\n\n` : ""}${block}\n`;
}
