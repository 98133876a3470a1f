import { chineseDate } from "../dates.js";
import { signatureLine } from "../forms.js";
import type { FormHook } from "../hooks.js";

/**
 * Requests for instructions (请示, seed §7): what the workflow (templates/workflows/request.yaml)
 * cannot say as data.
 */

/**
 * `request`, the instruction form (请示批办单): the placeholders beyond the generic ones (each field,
 * each step's signatures `step_<id>`). The unit-sign step has two signers, the unit head and the
 * leader in charge (seed §7.1): their opinions are split by the signer's role (`unit_head_opinion`,
 * `leader_opinion`; a signer with neither role under the unit head's). `implementers`: whom the
 * instruction named to carry it out (the `--to` of the instruct step, or a later `route`).
 */
export const requestForm: FormHook = ({ record, office }) => {
  const rolesOf = (id: string) => office.people.find((p) => p.id === id)?.roles ?? [];
  const unitSign = { head: [] as string[], leader: [] as string[] };
  let implementers: string[] = [];
  for (const e of record.history) {
    // A return sends the request back: the signatures given before it lapse.
    if (e.decision === "return" && e.to?.includes("unit-sign")) {
      unitSign.head = [];
      unitSign.leader = [];
    } else if (e.step === "unit-sign" && e.action === "sign")
      (rolesOf(e.actor).includes("leader") && !rolesOf(e.actor).includes("unit-head")
        ? unitSign.leader
        : unitSign.head
      ).push(signatureLine(e, office));
    if (e.to?.length && e.decision !== "return" && (e.step === "instruct" || e.step === "implement"))
      implementers = e.to;
  }
  return {
    unit_head_opinion: unitSign.head.join("\n"),
    leader_opinion: unitSign.leader.join("\n"),
    implementers: implementers
      .map(
        (id) =>
          office.units.find((u) => u.id === id)?.name ?? office.people.find((p) => p.id === id)?.name ?? id,
      )
      .join("、"),
    requested: chineseDate(record.created.slice(0, 10)),
  };
};
