import { existsSync } from "node:fs";
import { formatId } from "../core/ids.js";
import type { RecordSummary } from "../core/model.js";
import { parseDocNumber } from "../core/numbering.js";
import { refused } from "../core/problems.js";
import type { RecordIndex } from "./index-cache.js";
import { type Registry, recordRel, renamedIds } from "./registry.js";

/**
 * Sequence numbers: record ids (IN-2026-0042), official document numbers (X街办发〔2026〕3号, gapless
 * per prefix and year) and archive items (Z109-WS·2026-D10-0001). Every number is taken under the
 * registry lock, during the write that uses it, from the highest numbers the index knows.
 *
 * With a shared remote (issue 17, DESIGN.md "Distribution"), the first number of a write reaches the
 * remote first (`RemoteNumbers.connect`: fetch, and bring this clone up to date with it), so that the
 * index knows every number the remote has given; the write is then pushed before the command reports
 * its number (see transact). When the remote cannot be reached, a record gets a provisional id
 * (`IN-2026-L0003`, renamed by sync) and document and archive numbers are refused.
 */
export interface Allocator {
  /** The id of a new record of `kind`: `PREFIX-YEAR-NNNN`, or `PREFIX-YEAR-LNNNN` offline. */
  recordId(kind: string, prefix: string, year: number): Promise<string>;
  /** The next number of an official document number series (`X街办发〔2026〕`) of `kind`. */
  docNumber(kind: string, series: string): Promise<number>;
  /** The next item of an archive number series (`Z109-WS·2026-D10`). */
  archiveItem(series: string): Promise<number>;
}

/** What allocation needs of a shared remote (see share.ts ShareSession). */
export interface RemoteNumbers {
  /** The remote's name, for messages. */
  readonly remote: string;
  /**
   * Reach the remote before a write's first number: "online" when this clone now holds everything
   * the remote has (it may throw RESTART: the write must run again on the updated registry),
   * "offline" when it cannot be reached.
   */
  connect(): Promise<"online" | "offline">;
  /** A final number was given: the write must be pushed before it is reported. */
  allocated(): void;
}

const idKey = (prefix: string, year: number) => `id:${prefix}-${year}`;
/** Provisional ids are numbered apart, in this clone only. */
const localIdKey = (prefix: string, year: number) => `idL:${prefix}-${year}`;
const docNumberKey = (kind: string, series: string) => `docno:${kind}:${series}`;
const archiveKey = (series: string) => `archive:${series}`;

/**
 * The highest numbers a record's summary holds, as index keys: its id, its archive number and, when
 * `docNumberField` (the field with the doc-number role) is given, its document number.
 */
export function maximaOf(s: RecordSummary, docNumberField?: string): [string, number][] {
  const out: [string, number][] = [];
  const m = /^([A-Z]+)-(\d{4})-(L?)(\d+)$/.exec(s.id);
  if (m) out.push([(m[3] ? localIdKey : idKey)(m[1] as string, Number(m[2])), Number(m[4])]);
  if (s.archive) {
    const a = /^(.*)-(\d+)$/.exec(s.archive);
    if (a) out.push([archiveKey(a[1] as string), Number(a[2])]);
  }
  const dn = docNumberField ? s.extra?.[docNumberField] : undefined;
  const parsed = dn ? parseDocNumber(dn) : undefined;
  if (parsed) out.push([docNumberKey(s.kind, parsed.series), parsed.n]);
  return out;
}

/**
 * Numbers from the index's maxima (this clone's committed records, under the lock); with `shared`,
 * against the remote as described above.
 */
export function indexAllocator(reg: Registry, index: RecordIndex, shared?: RemoteNumbers): Allocator {
  const online = async (): Promise<boolean> => !shared || (await shared.connect()) === "online";
  return {
    async recordId(kind, prefix, year) {
      if (!(await online())) {
        // The highest provisional number this clone ever gave, renamed ones included.
        let seq = index.next(localIdKey(prefix, year));
        for (const old of Object.keys(renamedIds(reg))) {
          const m = /-(\d{4})-L(\d+)$/.exec(old);
          if (old.startsWith(`${prefix}-`) && m && Number(m[1]) === year)
            seq = Math.max(seq, Number(m[2]) + 1);
        }
        const free = (n: number) => formatId({ prefix, year, seq: n, provisional: true });
        while (existsSync(reg.path(recordRel(kind, free(seq))))) seq++;
        return free(seq);
      }
      shared?.allocated();
      let seq = index.next(idKey(prefix, year));
      // A file may exist that the index does not know (written by hand and not committed yet).
      while (existsSync(reg.path(recordRel(kind, formatId({ prefix, year, seq }))))) seq++;
      return formatId({ prefix, year, seq });
    },
    async docNumber(kind, series) {
      if (!(await online())) throw refused("share.number-offline", { remote: shared?.remote ?? "" });
      shared?.allocated();
      return index.next(docNumberKey(kind, series));
    },
    async archiveItem(series) {
      if (!(await online())) throw refused("share.archive-offline", { remote: shared?.remote ?? "" });
      shared?.allocated();
      return index.next(archiveKey(series));
    },
  };
}
