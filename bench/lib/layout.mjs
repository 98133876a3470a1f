// Where a record lives in a registry: the one place in bench/ that knows the id format and the
// record file layout.

/** A record id: `PREFIX-YYYY-NNNN` (the sequence number has 4 digits at least, more past 9999). */
export function recordId(prefix, year, seq) {
  return `${prefix}-${year}-${String(seq).padStart(4, "0")}`;
}

/**
 * The path of a record's file in the registry: `records/<kind>/<year>/<bucket>/<ID>.yaml`, the
 * bucket being the sequence number without its last two digits (IN-2026-0042 → 00, IN-2026-1234 →
 * 12, IN-2026-18542 → 185), so a bucket folder holds at most 100 files. Mirrors `recordRel` in
 * src/store/registry.ts: change both together.
 */
export function recordPath(kind, id) {
  const [, year = "0000", seq = ""] = id.split("-");
  const bucket = seq.length > 2 ? seq.slice(0, -2) : "00";
  return `records/${kind}/${year}/${bucket}/${id}.yaml`;
}
