import { existsSync, readFileSync } from "node:fs";
import { callForm, fillForm, incomingForm, outgoingForm } from "../../core/forms.js";
import type { OfficeConfig, RecordDoc } from "../../core/model.js";
import { refused, usageError } from "../../core/problems.js";
import type { WorkflowDef } from "../../core/workflow.js";
import { writeFileAtomic } from "../../store/atomic.js";
import { templatePath } from "../../store/paths.js";
import type { Ctx } from "../context.js";
import { fieldDisplay } from "../present.js";
import type { Registrar } from "../program.js";
import { loadRecord } from "../service.js";
import { signOrRoute } from "./actions.js";

type FormBuilder = (
  rec: RecordDoc,
  office: OfficeConfig,
  display: (field: string, v: unknown) => string,
  copy: number,
) => Record<string, string>;

/** Kinds with a printable form: the document's front matter, the transfer form, the handling slip. */
const FORMS: Record<string, FormBuilder> = {
  outgoing: (rec, office, _wf, copy) => outgoingForm(rec, office, copy),
  call: (rec, office, display) => callForm(rec, office, display),
  incoming: (rec, office) => incomingForm(rec, office, office.timezone),
};

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** Inside a Markdown table a value must stay on its line and not close the cell. */
const escapeMarkdown = (s: string, line: string) =>
  line.startsWith("|") ? s.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>") : s;

/** The registry's own form (forms/ in the registry, editable by the office) or the shipped one. */
function formTemplate(ctx: Ctx, kind: string, ext: "md" | "html"): string {
  const own = ctx.reg.path("forms", `${kind}.${ext}`);
  return readFileSync(existsSync(own) ? own : templatePath("forms", `${kind}.${ext}`), "utf8");
}

/** A record's printable form as text (Markdown, or HTML), in Chinese whatever the terminal's language. */
export function renderForm(ctx: Ctx, record: RecordDoc, wf: WorkflowDef, html: boolean, copy = 1): string {
  const build = FORMS[record.kind];
  if (!build) throw refused("print.no-form", { kind: record.kind });
  const zh = ctx.lang === "zh-CN" ? ctx : ctx.withLang("zh-CN");
  const data = build(record, ctx.office(), (field, v) => fieldDisplay(zh, wf, field, v), copy);
  return html
    ? fillForm(formTemplate(ctx, record.kind, "html"), data, escapeHtml)
    : fillForm(formTemplate(ctx, record.kind, "md"), data, escapeMarkdown);
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
    .action(
      run(async (ctx, id: string, opts: { html?: boolean; out?: string; copy?: string; done?: boolean }) => {
        if (opts.done) return signOrRoute(ctx, id, "print", {}, "print");
        const copy = opts.copy === undefined ? 1 : Number(opts.copy);
        if (!(Number.isInteger(copy) && copy > 0))
          throw usageError("cli.bad-number", { option: "--copy", value: String(opts.copy) });
        const { record, wf } = loadRecord(ctx, id);
        const text = renderForm(ctx, record, wf, opts.html === true, copy);
        if (opts.out) {
          writeFileAtomic(opts.out, text);
          ctx.say(ctx.t("print.written", { file: opts.out }));
        } else ctx.out(text);
        return 0;
      }),
    );
}
