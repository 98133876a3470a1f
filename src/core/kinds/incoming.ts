import type { Guard, Notice } from "../hooks.js";
import { fixDocNumber } from "../numbering.js";

/**
 * Incoming documents' hooks.
 *
 * `duplicate-document` (a creation guard, `checks: [duplicate-document]` in incoming.yaml): a
 * document whose issuer and document number are those of a record already registered is most
 * likely the same document arriving twice (by e-gov and on paper, or registered by two clerks).
 * The guard names that record in a notice that needs the clerk's consent (`confirm`): at a
 * terminal the clerk is asked, otherwise the registration is refused unless `--duplicate-ok`
 * (src/cli/service.ts createAction). A number typed with the wrong brackets (`[2026]`) matches its
 * GB/T 9704 form (`〔2026〕`). Documents without a number are never duplicates of each other.
 * Only open records are compared: a write's work grows with the open records, never with the years
 * behind them (DESIGN.md: the closed summaries grow with the whole registry), and a document
 * arriving twice mostly arrives while its first copy is still being handled.
 */
export const duplicateDocument: Guard = ({ event, record, wf, peers }) => {
  if (event !== "create") return undefined;
  const from = record.fields.from;
  const number = record.fields.doc_number;
  if (typeof from !== "string" || typeof number !== "string" || !number.trim()) return undefined;
  const norm = (n: string) => fixDocNumber(n) ?? n.trim();
  const wanted = norm(number);
  const same = peers
    .open()
    .filter(
      (s) =>
        s.kind === wf.kind &&
        s.id !== record.id &&
        s.extra?.from === from.trim() &&
        typeof s.extra?.doc_number === "string" &&
        norm(s.extra.doc_number) === wanted,
    );
  return same.map(
    (s): Notice => ({
      code: "incoming.duplicate",
      params: { id: s.id, from, number: wanted, title: s.title },
      confirm: true,
    }),
  );
};

/** The guards of incoming documents, by the names workflows use. */
export const INCOMING_GUARDS = { "duplicate-document": duplicateDocument };
