import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { officeDate } from "../core/dates.js";
import { conditionHolds } from "../core/deadline.js";
import { DEFAULT_ROLES, type Label } from "../core/model.js";
import { OfficeError, usageError } from "../core/problems.js";
import { titleFromTemplate } from "../core/record.js";
import {
  commandGroup,
  type FieldDef,
  findStep,
  type StepDef,
  validateWorkflow,
  type WorkflowDef,
} from "../core/workflow.js";
import { ConfigCache } from "../store/config-cache.js";
import { RecordIndex } from "../store/index-cache.js";
import { yaml } from "../store/lazy.js";
import { templatePath } from "../store/paths.js";
import { type Registry, userCacheDir } from "../store/registry.js";
import type { Lang } from "../ui/i18n/index.js";
import { addStepOptions } from "./commands/actions.js";
import { renderForm } from "./commands/print.js";
import type { Ctx } from "./context.js";
import {
  addFieldOptions,
  addTitleOption,
  collectFields,
  completeRequired,
  flagOf,
  given,
  optionTextRule,
  refuseClassifiedOptions,
} from "./fields.js";
import type { KindCommand, KindCommands } from "./kind-commands.js";
import { printResult } from "./present.js";
import type { Registrar } from "./registrar.js";
import { createAction, type StepOptions, signOrRoute } from "./service.js";

/**
 * The command line of the kinds, derived from their workflow files: each kind's create command
 * (`receive`, `call`, `meeting request`) with one option per field, one command per step id
 * (`propose IN-42`; a step id several kinds share is one command that acts on the record's kind),
 * and the kind commands the workflows name (kind-commands.ts). A step whose id is one of
 * office-doc's own commands (`check`, `report`, `file`) is a command of its kind's group
 * (`meeting check`), or, for a kind without a group, reached with `sign`.
 */

/** Where each derived command comes from. */
export interface KindSurface {
  /** Create command path -> its workflow. */
  creates: Map<string, WorkflowDef>;
  /** Step command path -> the step id and the workflows that have it. */
  steps: Map<string, { step: string; wfs: WorkflowDef[] }>;
  /** Kind command path -> its hook and the workflows that name it. */
  kindCommands: Map<string, { hook: string; wfs: WorkflowDef[] }>;
}

/**
 * The commands `wfs` define, given the names office-doc's own commands take (`builtins`). What two
 * workflows both claim goes to the first (by kind); `check` reports the rest (surfaceProblems).
 */
export function kindSurface(wfs: readonly WorkflowDef[], builtins: ReadonlySet<string>): KindSurface {
  const s: KindSurface = { creates: new Map(), steps: new Map(), kindCommands: new Map() };
  for (const wf of wfs)
    if (!builtins.has(wf.create_command) && !s.creates.has(wf.create_command))
      s.creates.set(wf.create_command, wf);
  const createWords = new Set([...s.creates.keys()].map((p) => p.split(" ")[0] as string));
  for (const wf of wfs)
    for (const [path, hook] of Object.entries(wf.commands ?? {})) {
      const k = s.kindCommands.get(path);
      if (k) {
        if (k.hook === hook) k.wfs.push(wf);
      } else if (!s.creates.has(path) && !builtins.has(path)) s.kindCommands.set(path, { hook, wfs: [wf] });
    }
  const taken = new Set([
    ...builtins,
    ...createWords,
    ...[...s.kindCommands.keys()].map((p) => p.split(" ")[0]),
  ]);
  for (const wf of wfs) {
    const group = commandGroup(wf.create_command);
    // A kind command of the workflow named after a step (`meeting wrap-up`) is that step's command.
    const own = new Set(Object.keys(wf.commands ?? {}).map((p) => p.slice(p.indexOf(" ") + 1)));
    for (const step of wf.steps) {
      if (own.has(step.id)) continue;
      const path = !taken.has(step.id) ? step.id : group ? `${group} ${step.id}` : undefined;
      if (!path || s.kindCommands.has(path) || s.creates.has(path)) continue;
      const e = s.steps.get(path);
      if (e) e.wfs.push(wf);
      else s.steps.set(path, { step: step.id, wfs: [wf] });
    }
  }
  return s;
}

/**
 * What keeps a workflow's commands from working as written, for `check`: a create command or kind
 * command that office-doc or another kind already has, a kind command no hook implements.
 */
export function surfaceProblems(
  wfs: readonly WorkflowDef[],
  builtins: ReadonlySet<string>,
  kindCommands: KindCommands,
): {
  kind: string;
  path: (string | number)[];
  code: "workflow.command-taken" | "workflow.unknown-kind-command";
  params: Record<string, string>;
}[] {
  const s = kindSurface(wfs, builtins);
  const out: ReturnType<typeof surfaceProblems> = [];
  for (const wf of wfs) {
    const c = wf.create_command;
    const by = builtins.has(c) ? "office-doc" : s.creates.get(c) !== wf ? s.creates.get(c)?.kind : undefined;
    if (by)
      out.push({
        kind: wf.kind,
        path: ["create_command"],
        code: "workflow.command-taken",
        params: { command: c, by },
      });
    for (const [path, hook] of Object.entries(wf.commands ?? {})) {
      const k = s.kindCommands.get(path);
      // A kind command at the workflow's own create command runs that command (createRun).
      if (path === c && !by) {
        if (!kindCommands[hook])
          out.push({
            kind: wf.kind,
            path: ["commands", path],
            code: "workflow.unknown-kind-command",
            params: { hook, known: Object.keys(kindCommands).join(", ") },
          });
        continue;
      }
      if (!k?.wfs.includes(wf))
        out.push({
          kind: wf.kind,
          path: ["commands", path],
          code: "workflow.command-taken",
          params: {
            command: path,
            by: builtins.has(path) ? "office-doc" : (k?.wfs[0]?.kind ?? s.creates.get(path)?.kind ?? "?"),
          },
        });
      else if (!kindCommands[hook])
        out.push({
          kind: wf.kind,
          path: ["commands", path],
          code: "workflow.unknown-kind-command",
          params: { hook, known: Object.keys(kindCommands).join(", ") },
        });
    }
  }
  return out;
}

/** The first words of every command the surface defines (what `office-doc NAME` may resolve to). */
export function surfaceNames(s: KindSurface): Set<string> {
  return new Set(
    [...s.creates.keys(), ...s.steps.keys(), ...s.kindCommands.keys()].map((p) => p.split(" ")[0] as string),
  );
}

const lab = (l: Label | undefined, lang: Lang) => (l ? l[lang] : "");

/** The fields the create command of `wf` takes as options. */
export const createFields = (wf: WorkflowDef): FieldDef[] => wf.fields.filter((f) => f.create);

/** The fields a step command sets, in the step's workflow. */
const stepSets = (wf: WorkflowDef, step: StepDef): FieldDef[] =>
  (step.sets ?? []).map((id) => wf.fields.find((f) => f.id === id)).filter((f): f is FieldDef => !!f);

/** The command at `path`, making its group when it has one (or using the group already there). */
function commandAt(program: Command, path: string, groupHelp: (group: string) => string): Command {
  const group = commandGroup(path);
  if (!group) return program.command(path);
  let g = program.commands.find((c) => c.name() === group);
  if (!g) g = program.command(group).description(groupHelp(group));
  return g.command(path.slice(group.length + 1));
}

/** What `office-doc receive --title …` was given, as typed. */
export interface CreateOptions {
  title?: string;
  at?: string;
  [field: string]: unknown;
}

/**
 * Create a record of `wf`'s kind from its command's options: fields typed by the workflow, the
 * required ones asked for at a terminal (else exit 2 naming them), the record written and committed.
 * Earlier records with the same contact phone are listed; `print_on_create` prints the form.
 */
export async function runCreate(ctx: Ctx, wf: WorkflowDef, opts: CreateOptions): Promise<number> {
  const { at, title, fields } = await collectCreate(ctx, wf, opts);
  const reason = typeof opts.reason === "string" ? opts.reason : undefined;
  const res = await createAction(ctx, wf, title, fields, at, reason, opts.duplicateOk === true);
  if (res.event.action === wf.create_action) await listEarlier(ctx, wf, res.record.id, fields);
  printResult(ctx, res, wf);
  if (wf.print_on_create && conditionHolds(wf.print_on_create, res.record.fields) && !ctx.json)
    ctx.out(`\n${renderForm(ctx, res.record, wf, false)}`);
  return 0;
}

/**
 * What a create command was given, typed by the workflow: when it happened (`--at`, else now), the
 * title and the fields, the required ones asked for at a terminal (else exit 2 naming them). A kind
 * command that runs a create command (`meeting request`) starts from this.
 */
export async function collectCreate(
  ctx: Ctx,
  wf: WorkflowDef,
  opts: CreateOptions,
): Promise<{ at: number; title: string; fields: Record<string, unknown> }> {
  const at = typeof opts.at === "string" ? await ctx.pastInstant("--at", opts.at) : ctx.now();
  const defs = createFields(wf);
  const typed = collectFields(defs, opts);
  refuseClassifiedOptions(wf, typed);
  const template = wf.title.template;
  const done = await completeRequired(
    ctx,
    defs,
    typed,
    template ? undefined : { def: wf.title, value: given(wf.title, opts) },
  );
  refuseClassifiedOptions(wf, done.fields);
  const title = template ? titleFromTemplate(template, done.fields, wf, ctx.office()) : (done.title ?? "");
  return { at, title, fields: done.fields };
}

/** Earlier records of the kind with the same contact phone: possible duplicates to merge. */
async function listEarlier(ctx: Ctx, wf: WorkflowDef, id: string, fields: Record<string, unknown>) {
  const phone = wf.fields.find((f) => f.role === "contact-phone");
  const value = phone ? fields[phone.id] : undefined;
  if (!phone || typeof value !== "string") return;
  const index = await RecordIndex.load(ctx.reg);
  const earlier = index
    .all()
    .filter((s) => s.kind === wf.kind && s.id !== id && s.extra?.[phone.id] === value)
    .sort((a, b) => (a.created < b.created ? 1 : -1));
  if (!earlier.length) return;
  ctx.say(ctx.t("call.earlier", { n: earlier.length }));
  for (const s of earlier.slice(0, 10))
    ctx.say(
      `  ${s.id}  ${officeDate(Date.parse(s.created), ctx.tz())}  ${s.status === "open" ? ctx.t("status.open") : ctx.t("status.closed")}  ${s.title}`,
    );
}

/**
 * Complete (or route) step `step` of the record `idText`: the step's `sets` fields from their
 * options (an option of another kind's step is bad usage), the required ones asked for or named.
 */
export async function runStep(
  ctx: Ctx,
  step: string,
  idText: string,
  opts: StepOptions & Record<string, unknown>,
  all: readonly FieldDef[],
): Promise<number> {
  ctx.reg.ensureExists();
  const { kind } = ctx.reg.resolveId(idText, Number(ctx.today().slice(0, 4)));
  const wf = ctx.reg.workflow(kind);
  const def = findStep(wf, step);
  const defs = def ? stepSets(wf, def) : [];
  for (const f of all)
    if (!defs.some((d) => d.id === f.id) && given(f, opts) !== undefined)
      throw usageError("cli.option-not-for-kind", { option: flagOf(f.option), kind, step });
  const typed = collectFields(defs, opts, false);
  const required = defs.filter((f) => def?.requires?.includes(f.id)).map((f) => ({ ...f, required: true }));
  const { fields } = await completeRequired(ctx, required, typed);
  const res = await signOrRoute(ctx, idText, step, opts, step, fields);
  return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
}

/** A step command's --help: the step's help (or label) in each kind that has it. */
function stepHelp(entry: { step: string; wfs: WorkflowDef[] }, lang: Lang): string {
  const texts = entry.wfs.map((wf) => {
    const s = findStep(wf, entry.step) as StepDef;
    const text = lab(s.help, lang) || lab(s.label, lang);
    return entry.wfs.length > 1 ? `${text} (${lab(wf.label, lang)})` : text;
  });
  return [...new Set(texts)].join(" · ");
}

/**
 * Register the commands of the kinds: all of them, or only those whose first word is `only` (a run
 * builds the command it was given, not all of them). `listOnly`: their names, arguments and help
 * lines without their options, for the program's own --help (which lists commands, not options).
 */
export function registerKinds(
  r: Registrar,
  surface: KindSurface,
  kindCommands: KindCommands,
  only?: string,
  listOnly = false,
): void {
  const { program, d, run, lang } = r;
  const wanted = (path: string) => only === undefined || path.split(" ")[0] === only;
  const groupHelp = (group: string) => {
    const wf = [...surface.creates.values()].find((w) => commandGroup(w.create_command) === group);
    return wf ? lab(wf.label, lang) : group;
  };
  for (const [path, wf] of surface.creates) {
    if (!wanted(path)) continue;
    const cmd = commandAt(program, path, groupHelp).description(
      lab(wf.help, lang) || r.d("help.create").replace("{kind}", lab(wf.label, lang)),
    );
    if (listOnly) continue;
    if (!wf.title.template) addTitleOption(cmd, wf.title, lang);
    addFieldOptions(cmd, createFields(wf), lang);
    cmd.addOption(new Option("--at <datetime>", d("help.opt-at")));
    if (wf.upsert_key?.length) cmd.addOption(new Option("--reason <text>", d("help.opt-revise-reason")));
    if (wf.checks?.length) cmd.addOption(new Option("--duplicate-ok", d("help.opt-duplicate-ok")));
    // A kind command named at the create command's path runs it, with its own options besides the fields'.
    const hook = wf.commands?.[path];
    const spec = hook ? kindCommands[hook] : undefined;
    for (const o of spec?.options ?? []) cmd.addOption(kindOption(o, d));
    cmd.action(
      run(async (ctx, opts: CreateOptions) => {
        // Outside a registry the shipped workflows name the command: say there is no registry.
        ctx.reg.ensureExists();
        const now = ctx.reg.workflow(wf.kind);
        return spec ? spec.run(ctx, { wfs: [now], args: [], opts }) : runCreate(ctx, now, opts);
      }),
    );
  }
  for (const [path, entry] of surface.steps) {
    if (!wanted(path)) continue;
    const bare = commandAt(program, path, groupHelp)
      .description(stepHelp(entry, lang))
      .argument("<id>", d("help.arg-id"));
    if (listOnly) continue;
    const cmd = addStepOptions(bare, d);
    // Each field a step of these kinds sets: once, even when several kinds set a field of that name.
    const all = new Map<string, FieldDef>();
    for (const wf of entry.wfs)
      for (const f of stepSets(wf, findStep(wf, entry.step) as StepDef)) all.set(f.option, f);
    addFieldOptions(cmd, [...all.values()], lang);
    cmd.action(
      run(async (ctx, id: string, opts: StepOptions & Record<string, unknown>) =>
        runStep(ctx, entry.step, id, opts, [...all.values()]),
      ),
    );
  }
  for (const [path, entry] of surface.kindCommands) {
    if (!wanted(path)) continue;
    const spec = kindCommands[entry.hook];
    if (!spec) continue;
    const cmd = commandAt(program, path, groupHelp).description(d(spec.description));
    for (const a of spec.arguments ?? [])
      cmd.argument(a.optional ? `[${a.name}]` : `<${a.name}>`, d(a.description));
    if (listOnly) continue;
    for (const o of spec.options ?? []) cmd.addOption(kindOption(o, d));
    cmd.action(
      run(async (ctx, ...args: unknown[]) => {
        const opts = args[args.length - 1] as Record<string, unknown>;
        const wfs = entry.wfs.map((w) => ctx.reg.workflow(w.kind));
        return spec.run(ctx, { wfs, args: args.slice(0, -1) as (string | undefined)[], opts });
      }),
    );
  }
}

/** A kind command's option for commander; `repeatable` collects every occurrence in a list. */
function kindOption(o: NonNullable<KindCommand["options"]>[number], d: Registrar["d"]): Option {
  const opt = new Option(o.flags, d(o.description));
  if (o.multiline !== undefined) optionTextRule.set(opt, o.multiline ? "text" : "line");
  if (o.repeatable) opt.argParser((v: string, prev: string[] = []) => [...prev, v]);
  return opt;
}

/** The workflows a new registry gets (templates/workflows), for a run outside any registry. */
export function shippedWorkflows(): WorkflowDef[] {
  const roles = DEFAULT_ROLES.map((r) => r.id);
  // Parsing and validating every shipped workflow costs ~200 ms, at each `--help` outside a
  // registry: kept, as a registry's are, in a configuration cache (this user's temp folder).
  const cache = new ConfigCache(join(userCacheDir(templatePath("workflows")), "config-cache.json"));
  return readdirSync(templatePath("workflows"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => {
      const kind = f.slice(0, -5);
      const value = cache.get(`${f}|${roles.join(",")}`, templatePath("workflows", f), () => {
        const raw = yaml().parse(readFileSync(templatePath("workflows", f), "utf8"));
        return validateWorkflow(raw, kind, roles).value ?? null;
      });
      return value ? [value] : [];
    });
}

/**
 * The workflows whose commands a run offers: the registry's (read through the configuration cache),
 * or the shipped ones outside a registry or when its office.yaml cannot be read (the command then
 * fails on that). `errors`: the workflow files that could not be read.
 */
export function workflowsOf(reg: Registry): { wfs: WorkflowDef[]; errors: OfficeError[] } {
  if (!reg.exists()) return { wfs: shippedWorkflows(), errors: [] };
  try {
    reg.office();
  } catch {
    return { wfs: shippedWorkflows(), errors: [] };
  }
  const wfs: WorkflowDef[] = [];
  const errors: OfficeError[] = [];
  for (const kind of reg.workflowKinds()) {
    try {
      wfs.push(reg.workflow(kind));
    } catch (e) {
      if (!(e instanceof OfficeError)) throw e;
      errors.push(e);
    }
  }
  return { wfs, errors };
}
