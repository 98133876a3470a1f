import { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { Ctx } from "../../src/cli/context.js";
import {
  addFieldOptions,
  collectFields,
  completeRequired,
  fieldHelp,
  wantedField,
} from "../../src/cli/fields.js";
import { DEFAULT_ROLES } from "../../src/core/model.js";
import { validateWorkflow } from "../../src/core/workflow.js";
import { makeOffice, rawTemplate } from "../core/fixtures.js";

/** Fields on the command line: options, values typed by the workflow, prompts with labels. */

const wf = validateWorkflow(
  rawTemplate("outgoing"),
  "outgoing",
  DEFAULT_ROLES.map((r) => r.id),
).value;
if (!wf) throw new Error("outgoing.yaml invalid");
const def = (id: string) => {
  const f = wf.fields.find((x) => x.id === id);
  if (!f) throw new Error(id);
  return f;
};
const office = makeOffice();
/** Only what the field helpers ask of a context. */
const ctxOf = (lang: "en" | "zh-CN", interactive = false) =>
  ({ lang, office: () => office, interactive, t: (k: string) => k }) as unknown as Ctx;

describe("prompts show labels and names, not ids", () => {
  it("an enum's choices carry the workflow's labels in the clerk's language", () => {
    expect(wantedField(ctxOf("zh-CN"), def("category")).choices).toEqual([
      { value: "party-committee", name: "党工委发文", description: "--category party-committee" },
      { value: "office", name: "办事处发文", description: "--category office" },
      {
        value: "party-government-office",
        name: "党政办公室发文",
        description: "--category party-government-office",
      },
    ]);
  });

  it("a unit field's choices are the office's units by name", () => {
    expect(wantedField(ctxOf("en"), def("unit"))).toMatchObject({
      flag: "--unit",
      label: "Drafting unit",
      choices: [
        { value: "urban", name: "城管科", description: "--unit urban" },
        { value: "civil", name: "民政科", description: "--unit civil" },
      ],
    });
  });

  it("without a terminal, every missing required value is named at once (exit 2)", async () => {
    const err = await completeRequired(ctxOf("en"), wf.fields, {}, { def: wf.title, value: undefined }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      kind: "usage",
      code: "cli.missing-options",
      params: { options: "--title, --category, --unit" },
    });
  });
});

describe("options", () => {
  it("one per field a draft takes, with help from the labels and values", () => {
    const cmd = new Command("draft");
    addFieldOptions(
      cmd,
      wf.fields.filter((f) => f.create),
      "en",
    );
    const flags = cmd.options.map((o) => o.long);
    expect(flags).toEqual([
      "--category",
      "--unit",
      "--type",
      "--urgency",
      "--classification",
      "--secrecy-term",
      "--recipients",
      "--cc",
      "--copies",
      "--pages",
    ]);
    expect(fieldHelp(def("urgency"), "en")).toBe("Urgency: normal, urgent, extra-urgent (extra urgent)");
    expect(fieldHelp(def("urgency"), "zh-CN")).toBe(
      "紧急程度：normal (普通)、urgent (加急)、extra-urgent (特急)",
    );
  });

  it("values are typed by their fields, defaults filled in, a bad one named by its option", () => {
    expect(collectFields(wf.fields, { copies: "40", recipients: "各社区居委会，辖区各单位" })).toMatchObject({
      copies: 40,
      recipients: ["各社区居委会", "辖区各单位"],
      urgency: "normal",
      classification: "none",
    });
    expect(() => collectFields(wf.fields, { copies: "forty" })).toThrow(
      expect.objectContaining({
        code: "field.not-integer",
        params: expect.objectContaining({ option: "--copies" }),
      }),
    );
  });
});
