import { usageError } from "../core/problems.js";
import type { WorkflowDef } from "../core/workflow.js";
import type { Ctx } from "./context.js";

/**
 * The filters listings and reports take (`--kind`, `--step`, `--unit`, `--holder`), checked against
 * the registry: a value it does not know is bad usage (exit 2) naming the values it does, never an
 * empty table (issue 12; CLI.md: "unknown enum value" is exit 2).
 */

/** `--kind K`: K's workflow. A kind without a workflow file is exit 2, naming the kinds there are. */
export function kindOption(ctx: Ctx, kind: string): WorkflowDef {
  const kinds = ctx.reg.workflowKinds();
  if (!kinds.includes(kind))
    throw usageError("cli.bad-enum", { option: "--kind", value: kind, values: kinds.join(", ") });
  return ctx.reg.workflow(kind);
}

/** `--step S`: a step of `kind`'s workflow, or of any kind's; exit 2 naming the steps there are. */
export function checkStepOption(ctx: Ctx, step: string, kind?: string): void {
  const wfs = kind ? [kindOption(ctx, kind)] : ctx.reg.workflows();
  const steps = [...new Set(wfs.flatMap((w) => w.steps.map((s) => s.id)))];
  if (!steps.includes(step))
    throw usageError("cli.bad-enum", { option: "--step", value: step, values: steps.join(", ") });
}

/** `--unit U`: a unit of the office (exit 2 otherwise). */
export function checkUnitOption(ctx: Ctx, unit: string): void {
  if (!ctx.office().units.some((u) => u.id === unit))
    throw usageError("cli.unknown-unit-option", { option: "--unit", unit });
}

/** `--holder P|U`: a person or unit of the office (exit 2 otherwise). */
export function checkHolderOption(ctx: Ctx, holder: string): void {
  const office = ctx.office();
  if (!office.people.some((p) => p.id === holder) && !office.units.some((u) => u.id === holder))
    throw usageError("cli.unknown-person-option", { option: "--holder", person: holder });
}
