import { rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Document } from "yaml";
import { PLAIN_ID_RE } from "../../core/ids.js";
import { validateOffice } from "../../core/office.js";
import { OfficeError, usageError } from "../../core/problems.js";
import { checkRegistry } from "../../store/check.js";
import { initRegistry } from "../../store/init.js";
import { yaml } from "../../store/lazy.js";
import { OFFICE_FILE } from "../../store/registry.js";
import { workflowSchemaProblems } from "../../store/schema.js";
import { transact } from "../../store/transact.js";
import { documentText, type FileProblem, parseYamlText, placeProblems } from "../../store/yaml-io.js";
import { BUILTINS } from "../builtins.js";
import type { Ctx } from "../context.js";
import { buildDemo, demoTour } from "../demo.js";
import { problemLine } from "../errors.js";
import { oneLine } from "../fields.js";
import { surfaceProblems, workflowsOf } from "../kinds.js";
import { roleLabel } from "../present.js";
import type { Registrar } from "../registrar.js";
import { printRows } from "../table-output.js";
import { runList } from "./records.js";
import { runOverdue } from "./reports.js";

/**
 * Change office.yaml through the YAML document (comments and order survive), validate the result as
 * a whole, and commit it as one action.
 */
async function editOffice(
  ctx: Ctx,
  action: string,
  subject: string,
  edit: (doc: Document) => void,
): Promise<void> {
  ctx.reg.ensureExists();
  const identity = await ctx.setupIdentity();
  await transact(
    ctx.reg,
    action,
    async (tx) => {
      const text = ctx.reg.readText(OFFICE_FILE) ?? "";
      const doc = yaml().parseDocument(text);
      edit(doc);
      const next = documentText(doc);
      const y = parseYamlText(next, OFFICE_FILE);
      const { problems } = validateOffice(y.value);
      if (problems.length)
        throw new OfficeError("usage", "office.edit-invalid", {}, placeProblems(y, problems), OFFICE_FILE);
      tx.put(OFFICE_FILE, next);
      const when = ctx.stamp();
      await tx.commit({
        action,
        subject,
        author: identity,
        committer: identity,
        authorDate: when,
        committerDate: when,
      });
    },
    { rereadsConfig: true },
  );
  ctx.reg.forget();
}

function seqOf(doc: Document, key: string) {
  const { isSeq } = yaml();
  let seq = doc.get(key, true);
  if (!isSeq(seq)) {
    doc.set(key, doc.createNode([]));
    seq = doc.get(key, true);
  }
  if (!isSeq(seq)) throw new Error(`${key} is not a list`);
  return seq;
}

export function registerSetup(r: Registrar): void {
  const { program, d, run } = r;

  program
    .command("init")
    .description(d("help.init"))
    .argument("[dir]", d("help.arg-dir"))
    .option("--name <name>", d("help.opt-office-name"))
    .option("--demo", d("help.opt-demo"))
    .action(run(runInit));

  program
    .command("demo")
    .description(d("help.demo"))
    .option("--fresh", d("help.opt-fresh"))
    .action(run(runDemo));

  const person = program.command("person").description(d("help.person"));
  person
    .command("add")
    .description(d("help.person-add"))
    .argument("<id>", d("help.arg-person-id"))
    .option("--name <name>", d("help.opt-person-name"))
    .option("--email <email>", d("help.opt-email"))
    .option("--roles <roles>", d("help.opt-roles"))
    .option("--unit <unit>", d("help.opt-unit"))
    .action(run(runPersonAdd));
  person.command("list").description(d("help.person-list")).action(run(runPersonList));

  const unit = program.command("unit").description(d("help.unit"));
  unit
    .command("add")
    .description(d("help.unit-add"))
    .argument("<id>", d("help.arg-unit-id"))
    .option("--name <name>", d("help.opt-name"))
    .option("--code <code>", d("help.opt-unit-code"))
    .action(run(runUnitAdd));
  unit.command("list").description(d("help.unit-list")).action(run(runUnitList));

  program.command("check").description(d("help.check")).action(run(runCheck));
}

/**
 * `check`'s findings on the workflows beyond the engine's: the JSON Schema, files still in format 1,
 * and commands a workflow names that cannot be reached (taken, or with no hook).
 */
function workflowProblems(ctx: Ctx): FileProblem[] {
  const out = workflowSchemaProblems(ctx.reg);
  const { wfs } = ctx.reg.exists() ? workflowsOf(ctx.reg) : { wfs: [] };
  for (const p of surfaceProblems(wfs, BUILTINS, ctx.cli.kindCommands)) {
    const file = `workflows/${p.kind}.yaml`;
    let line = 1;
    try {
      line = parseYamlText(ctx.reg.readText(file) ?? "", file).lineOf(p.path);
    } catch {
      // The file's own problem is reported by the check of the file.
    }
    out.push({ file, line, path: p.path, code: p.code, params: p.params });
  }
  return out;
}

/** `office-doc init`. */
export async function runInit(
  ctx: Ctx,
  dir: string | undefined,
  opts: { name?: string; demo?: boolean },
): Promise<number> {
  const name = oneLine("--name", opts.name);
  if (name === "") throw usageError("field.empty", { option: "--name" });
  const target = dir ? resolve(ctx.cwd, dir) : ctx.reg.dir;
  const c = dir ? ctx.withRegistry(target) : ctx;
  await initRegistry(target, {
    identity: await c.setupIdentity(),
    when: ctx.stamp(),
    ...(name ? { name } : {}),
  });
  if (opts.demo) await buildDemo(c);
  ctx.say(ctx.t("init.done", { dir: target }));
  return 0;
}

/** `office-doc demo`. */
export async function runDemo(ctx: Ctx, opts: { fresh?: boolean }): Promise<number> {
  if (ctx.reg.exists() && !opts.fresh) {
    ctx.say(ctx.t("demo.exists", { dir: ctx.reg.dir }));
  } else {
    if (ctx.reg.exists()) {
      rmSync(ctx.reg.dir, { recursive: true, force: true });
    }
    await initRegistry(ctx.reg.dir, {
      identity: await ctx.setupIdentity(),
      name: "X街道办事处",
      when: ctx.stamp(),
    });
    try {
      await buildDemo(ctx);
    } catch (e) {
      // A half-built demo would only mislead: start again from nothing next time.
      rmSync(ctx.reg.dir, { recursive: true, force: true });
      throw e;
    }
  }
  ctx.out(await demoTour(ctx));
  // The main job, on the demo itself: what is open, and what is overdue today.
  ctx.out(`\n${ctx.t("demo.open-records")}`);
  await runList(ctx, { status: "open" });
  ctx.out(`\n${ctx.t("demo.overdue-today")}`);
  await runOverdue(ctx, {});
  return 0;
}

/** A person's or unit's `--name`: one line, not blank (exit 2 naming --name otherwise). */
function requiredName(v: string | undefined): string {
  const name = oneLine("--name", v);
  if (name === undefined) throw usageError("cli.missing-options", { options: "--name" });
  if (name === "") throw usageError("field.empty", { option: "--name" });
  return name;
}

/** `office-doc person add`. */
export async function runPersonAdd(
  ctx: Ctx,
  id: string,
  opts: { name?: string; email?: string; roles?: string; unit?: string },
): Promise<number> {
  if (!PLAIN_ID_RE.test(id)) throw usageError("office.bad-id", { id });
  const name = requiredName(opts.name);
  const office = ctx.office();
  if (office.people.some((p) => p.id === id) || office.units.some((u) => u.id === id))
    throw usageError("office.duplicate-id", { id });
  const roles = (opts.roles ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const role of roles)
    if (!office.roles.some((x) => x.id === role))
      throw usageError("office.unknown-role", {
        role,
        id,
        known: office.roles.map((x) => x.id).join(", "),
      });
  if (opts.unit && !office.units.some((u) => u.id === opts.unit))
    throw usageError("office.unknown-unit", { unit: opts.unit, id });
  const entry: Record<string, unknown> = { id, name };
  if (opts.email) entry.email = opts.email;
  entry.roles = roles;
  if (opts.unit) entry.unit = opts.unit;
  await editOffice(ctx, "person-add", `person add ${id}: ${name}`, (doc) => {
    const node = doc.createNode(entry);
    const { isMap, isSeq } = yaml();
    const rolesNode = isMap(node) ? node.get("roles", true) : undefined;
    if (rolesNode && isSeq(rolesNode)) rolesNode.flow = true;
    seqOf(doc, "people").items.push(node);
  });
  ctx.say(ctx.t("person.added", { id, name }));
  return 0;
}

/** `office-doc person list`. */
export async function runPersonList(ctx: Ctx): Promise<number> {
  const office = ctx.office();
  const rows = office.people.map((p) => ({
    id: p.id,
    name: p.name,
    email: p.email ?? "",
    roles: p.roles.map((x) => roleLabel(office, x, ctx.lang)).join(ctx.lang === "zh-CN" ? "\u3001" : ", "),
    unit: p.unit ? (office.units.find((u) => u.id === p.unit)?.name ?? p.unit) : "",
  }));
  const cols = ["id", "name", "email", "roles", "unit"].map((k) => ({
    key: k,
    header: ctx.t(k === "name" ? "col.person-name" : (`col.${k}` as never)),
  }));
  await printRows(ctx, cols, rows, { data: office.people });
  return 0;
}

/** `office-doc unit add`. */
export async function runUnitAdd(
  ctx: Ctx,
  id: string,
  opts: { name?: string; code?: string },
): Promise<number> {
  if (!PLAIN_ID_RE.test(id)) throw usageError("office.bad-id", { id });
  const name = requiredName(opts.name);
  const office = ctx.office();
  if (office.units.some((u) => u.id === id) || office.people.some((p) => p.id === id))
    throw usageError("office.duplicate-id", { id });
  const entry: Record<string, unknown> = { id, name };
  if (opts.code) entry.code = opts.code;
  await editOffice(ctx, "unit-add", `unit add ${id}: ${name}`, (doc) => {
    const node = doc.createNode(entry);
    if (yaml().isMap(node)) node.flow = true;
    seqOf(doc, "units").items.push(node);
  });
  ctx.say(ctx.t("unit.added", { id, name }));
  return 0;
}

/** `office-doc unit list`. */
export async function runUnitList(ctx: Ctx): Promise<number> {
  const office = ctx.office();
  const rows = office.units.map((u) => ({
    id: u.id,
    name: u.name,
    code: u.code ?? "",
    members: office.people.filter((p) => p.unit === u.id).length,
  }));
  const cols = ["id", "name", "code", "members"].map((k) => ({
    key: k,
    header: ctx.t(`col.${k}` as never),
  }));
  await printRows(ctx, cols, rows, { data: office.units });
  return 0;
}

/** `office-doc check`. */
export async function runCheck(ctx: Ctx): Promise<number> {
  ctx.reg.ensureExists();
  const problems = [...(await checkRegistry(ctx.reg, ctx.now())), ...workflowProblems(ctx)];
  const errors = problems.filter((p) => !p.warning);
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        {
          ok: errors.length === 0,
          problems: problems.map((p) => ({ ...p, message: ctx.t(p.code, p.params) })),
        },
        null,
        2,
      ),
    );
  } else {
    for (const p of problems) ctx.out(problemLine(ctx.lang, p));
  }
  return errors.length ? 1 : 0;
}
