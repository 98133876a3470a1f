import { existsSync } from "node:fs";
import { formatId } from "../core/ids.js";
import type { RecordSummary } from "../core/model.js";
import { parseDocNumber } from "../core/numbering.js";
import type { RecordIndex } from "./index-cache.js";
import { type Registry, recordRel } from "./registry.js";

/**
 * Sequence numbers: record ids (IN-2026-0042), official document numbers (X街办发〔2026〕3号, gapless
 * per prefix and year) and archive items (Z109-WS·2026-D10-0001). Every number is taken under the
 * registry lock, during the write that uses it. Today they come from the highest numbers the index
 * knows in this clone; allocation against the shared git remote (DESIGN.md, "Distribution") is to
 * implement this interface too, so that commands need not change.
 */
export interface Allocator {
  /** The next sequence number of record ids `PREFIX-YEAR-NNNN` of `kind`. */
  recordSeq(kind: string, prefix: string, year: number): number;
  /** The next number of an official document number series (`X街办发〔2026〕`) of `kind`. */
  docNumber(kind: string, series: string): number;
  /** The next item of an archive number series (`Z109-WS·2026-D10`). */
  archiveItem(series: string): number;
}

const idKey = (prefix: string, year: number) => `id:${prefix}-${year}`;
const docNumberKey = (kind: string, series: string) => `docno:${kind}:${series}`;
const archiveKey = (series: string) => `archive:${series}`;

/**
 * The highest numbers a record's summary holds, as index keys: its id, its archive number and, when
 * `docNumberField` (the field with the doc-number role) is given, its document number.
 */
export function maximaOf(s: RecordSummary, docNumberField?: string): [string, number][] {
  const out: [string, number][] = [];
  const m = /^([A-Z]+)-(\d{4})-(\d+)$/.exec(s.id);
  if (m) out.push([idKey(m[1] as string, Number(m[2])), Number(m[3])]);
  if (s.archive) {
    const a = /^(.*)-(\d+)$/.exec(s.archive);
    if (a) out.push([archiveKey(a[1] as string), Number(a[2])]);
  }
  const dn = docNumberField ? s.extra?.[docNumberField] : undefined;
  const parsed = dn ? parseDocNumber(dn) : undefined;
  if (parsed) out.push([docNumberKey(s.kind, parsed.series), parsed.n]);
  return out;
}

/** Numbers from the index's maxima (this clone's committed records, under the lock). */
export function indexAllocator(reg: Registry, index: RecordIndex): Allocator {
  return {
    recordSeq(kind, prefix, year) {
      let seq = index.next(idKey(prefix, year));
      // A file may exist that the index does not know (written by hand and not committed yet).
      while (existsSync(reg.path(recordRel(kind, formatId({ prefix, year, seq }))))) seq++;
      return seq;
    },
    docNumber: (kind, series) => index.next(docNumberKey(kind, series)),
    archiveItem: (series) => index.next(archiveKey(series)),
  };
}
