import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { chineseDate, officeDate } from "../../core/dates.js";
import { fillForm } from "../../core/forms.js";
import type { RecordDoc } from "../../core/model.js";
import { usageError } from "../../core/problems.js";
import type { WorkflowDef } from "../../core/workflow.js";
import { writeFileAtomic } from "../../store/atomic.js";
import { templatePath } from "../../store/paths.js";
import type { Ctx } from "../context.js";
import { fieldDisplay, label, nameOf, printResult, stepLabel } from "../present.js";
import type { Registrar } from "../registrar.js";
import { loadRecord, signOrRoute } from "../service.js";

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** Inside a Markdown table a value must stay on its line and not close the cell. */
const escapeMarkdown = (s: string, line: string) =>
  line.startsWith("|") ? s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>") : s;

/** The registry's own form (forms/ in the registry, editable by the office) or the shipped one. */
function formTemplate(ctx: Ctx, name: string, ext: "md" | "html"): string | undefined {
  for (const file of [ctx.reg.path("forms", `${name}.${ext}`), templatePath("forms", `${name}.${ext}`)])
    if (existsSync(file)) return readFileSync(file, "utf8");
  return undefined;
}

/**
 * What every form's placeholders may use: the record's id, title, office, registration date and
 * deadline, each field's value (`{{caller}}`) and label (`{{label_caller}}`), and each step's
 * signatures (`{{step_leader_sign}}`: opinion, signer, date, one per line).
 */
function genericFormData(zh: Ctx, rec: RecordDoc, wf: WorkflowDef): Record<string, string> {
  const office = zh.office();
  const data: Record<string, string> = {
    id: rec.id,
    office: office.name,
    kind: label(wf.label, "zh-CN"),
    title: rec.title,
    label_title: label(wf.title.label, "zh-CN"),
    registered: chineseDate(rec.created.slice(0, 10)),
    deadline: rec.deadline ? chineseDate(rec.deadline) : "",
    step: stepLabel(wf, rec.step, "zh-CN"),
  };
  for (const f of wf.fields) {
    data[f.id] = rec.fields[f.id] === undefined ? "" : fieldDisplay(zh, wf, f.id, rec.fields[f.id]);
    data[`label_${f.id}`] = label(f.label, "zh-CN");
  }
  for (const s of wf.steps) {
    data[`step_${s.id.replace(/-/g, "_")}`] = rec.history
      .filter(
        (e) => e.step === s.id && (e.action === "sign" || e.action === "file") && e.decision !== "return",
      )
      .map(
        (e) =>
          `${e.opinion ?? "已阅"}　${nameOf(office, e.actor)}　${chineseDate(officeDate(Date.parse(e.at), office.timezone))}`,
      )
      .join("\n");
  }
  return data;
}

/**
 * A form for a kind without one of its own: the record's fields with their labels, then its steps
 * with who signed them, as a Markdown or an HTML table.
 */
function plainForm(data: Record<string, string>, wf: WorkflowDef, html: boolean): string {
  const rows: [string, string][] = [[label(wf.title.label, "zh-CN"), data.title ?? ""]];
  for (const f of wf.fields) if (data[f.id]) rows.push([label(f.label, "zh-CN"), data[f.id] as string]);
  for (const s of wf.steps) {
    const v = data[`step_${s.id.replace(/-/g, "_")}`];
    if (v) rows.push([label(s.label, "zh-CN"), v]);
  }
  const head = `${data.office} ${data.kind}`;
  const meta = `编号：${data.id}　　登记日期：${data.registered}${data.deadline ? `　　办结时限：${data.deadline}` : ""}`;
  if (html) {
    const cells = rows
      .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v).replace(/\n/g, "<br>")}</td></tr>`)
      .join("\n");
    return `<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(`${data.kind} ${data.id}`)}</title>\n<style>body { font-family: "FangSong", "仿宋", serif; width: 170mm; margin: 20mm auto; font-size: 14pt; }\nh1 { text-align: center; font-size: 20pt; } table { width: 100%; border-collapse: collapse; }\ntd, th { border: 1px solid #000; padding: 6px 10px; vertical-align: top; } th { width: 8em; text-align: center; }</style>\n</head><body>\n<h1>${escapeHtml(head)}</h1>\n<p>${escapeHtml(meta)}</p>\n<table>\n${cells}\n</table>\n</body></html>\n`;
  }
  const line = (k: string, v: string) => `| ${k} | ${escapeMarkdown(v, "|")} |`;
  return `# ${head}\n\n${meta}\n\n| 项目 | 内容 |\n| --- | --- |\n${rows.map(([k, v]) => line(k, v)).join("\n")}\n`;
}

/**
 * A record's printable form as text (Markdown, or HTML), in Chinese whatever the terminal's
 * language: the template `forms/<form>.md|html` filled with the generic keys and those of the
 * kind's form hook (`form:` in its workflow); a kind with neither gets every field in a table.
 */
export function renderForm(ctx: Ctx, record: RecordDoc, wf: WorkflowDef, html: boolean, copy = 1): string {
  const zh = ctx.lang === "zh-CN" ? ctx : ctx.withLang("zh-CN");
  const data = genericFormData(zh, record, wf);
  const name = wf.form ?? record.kind;
  const hook = wf.form ? ctx.reg.hooks.forms[wf.form] : undefined;
  if (hook)
    Object.assign(
      data,
      hook({
        record,
        wf,
        office: ctx.office(),
        display: (field, v) => fieldDisplay(zh, wf, field, v),
        copy,
      }),
    );
  const template = formTemplate(ctx, name, html ? "html" : "md");
  if (template === undefined) return plainForm(data, wf, html);
  return html ? fillForm(template, data, escapeHtml) : fillForm(template, data, escapeMarkdown);
}

export function registerPrint(r: Registrar): void {
  const { program, d, run } = r;
  program
    .command("print")
    .description(d("help.print"))
    .argument("<id>", d("help.arg-id"))
    .option("--html", d("help.opt-html"))
    .option("--out <file>", d("help.opt-out"))
    .option("--copy <n>", d("help.opt-copy"))
    .option("--done", d("help.opt-print-done"))
    .action(run(runPrint));
}

/** `office-doc print`. */
export async function runPrint(
  ctx: Ctx,
  id: string,
  opts: { html?: boolean; out?: string; copy?: string; done?: boolean },
): Promise<number> {
  if (opts.done) {
    const res = await signOrRoute(ctx, id, "print", {}, "print");
    return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
  }
  const copy = opts.copy === undefined ? 1 : Number(opts.copy);
  if (!(Number.isInteger(copy) && copy > 0))
    throw usageError("cli.bad-number", { option: "--copy", value: String(opts.copy) });
  const { record, wf } = loadRecord(ctx, id);
  const text = renderForm(ctx, record, wf, opts.html === true, copy);
  if (opts.out) {
    writeFileAtomic(resolve(ctx.cwd, opts.out), text);
    ctx.say(ctx.t("print.written", { file: opts.out }));
  } else ctx.out(text);
  return 0;
}
