import type { ListedSummary, OfficeConfig } from "../model.js";

export interface ListFilter {
  status: "open" | "closed" | "all";
  kind?: string;
  step?: string;
  /** A person (matches records held by them or by their unit) or a unit. */
  holder?: string;
  /** Records of this unit (their `unit` field) or held by it. */
  unit?: string;
}

/** Does `holder` (person or unit id) hold this record? A person holds what their unit holds. */
export function heldBy(s: ListedSummary, holder: string, office: OfficeConfig): boolean {
  if (s.holders.includes(holder)) return true;
  const unit = office.people.find((p) => p.id === holder)?.unit;
  return unit !== undefined && s.holders.includes(unit);
}

/** Filter summaries and sort them: earliest due first, then by id. */
export function filterSummaries<S extends ListedSummary>(
  list: readonly S[],
  office: OfficeConfig,
  f: ListFilter,
): S[] {
  const out = list.filter(
    (s) =>
      (f.status === "all" || s.status === f.status) &&
      (!f.kind || s.kind === f.kind) &&
      (!f.step || s.step === f.step) &&
      (!f.holder || heldBy(s, f.holder, office)) &&
      (!f.unit || s.unit === f.unit || s.holders.includes(f.unit)),
  );
  return out.sort((a, b) => {
    const da = a.due ?? "9999-99-99";
    const db = b.due ?? "9999-99-99";
    return da < db ? -1 : da > db ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}
