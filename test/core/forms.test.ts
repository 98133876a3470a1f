import { describe, expect, it } from "vitest";
import { classificationMark, fillForm, outgoingForm } from "../../src/core/forms.js";
import { DEFAULT_ROLES, type OfficeConfig, type RecordDoc } from "../../src/core/model.js";

const office: OfficeConfig = {
  name: "X街道办事处",
  timezone: "Asia/Shanghai",
  fonds: "Z109",
  roles: DEFAULT_ROLES,
  units: [{ id: "urban", name: "城市管理科" }],
  people: [{ id: "zhang-wei", name: "张伟", roles: ["director"] }],
  prefixes: { office: "X街办发" },
  issuer_marks: { office: "X街道办事处文件" },
  printed_by: "X街道党政办公室",
  egov: { windows: [], grace_minutes: 30 },
  backup: { max_age_days: 7 },
};

function outgoing(fields: Record<string, unknown>): RecordDoc {
  return {
    id: "OUT-2026-0001",
    kind: "outgoing",
    title: "关于开展冬季环境整治工作的通知",
    status: "open",
    step: "distribute",
    holders: [],
    due: null,
    deadline: null,
    created: "2026-03-02T09:00:00+08:00",
    fields: { category: "office", unit: "urban", ...fields },
    step_started: null,
    routed: [],
    signatures: [],
    history: [
      { action: "draft", at: "2026-03-02T09:00:00+08:00", actor: "zhang-wei", recorded_by: "zhang-wei" },
      {
        action: "sign",
        step: "issue",
        at: "2026-03-05T10:00:00+08:00",
        actor: "zhang-wei",
        recorded_by: "zhang-wei",
        decision: "approve",
      },
    ],
  };
}

describe("fillForm", () => {
  it("fills placeholders and drops conditional lines whose key is empty", () => {
    const t = "{{#a}}A: {{a}}\n{{#b}}B: {{b}}\nC: {{c}}";
    expect(fillForm(t, { a: "1", b: "", c: "3" })).toBe("A: 1\nC: 3");
  });
  it("escapes values, not the template", () => {
    expect(fillForm("<p>{{t}}</p>", { t: "<b>" }, (v) => v.replace(/</g, "&lt;"))).toBe("<p>&lt;b></p>");
  });
});

describe("outgoing front matter (GB/T 9704)", () => {
  it("writes the classification with its term", () => {
    expect(classificationMark("confidential", "1年")).toBe("机密★1年");
    expect(classificationMark("secret", undefined)).toBe("秘密");
    expect(classificationMark("none", "1年")).toBe("");
  });

  it("has the elements of an ordinary document", () => {
    const f = outgoingForm(
      outgoing({
        doc_number: "X街办发〔2026〕3号",
        recipients: ["各社区居委会", "辖区各单位"],
        cc: ["区城市管理局"],
        date_written: "2026-03-05",
        printed_on: "2026-03-06",
        urgency: "urgent",
        type: "notice",
        copies: 30,
      }),
      office,
      1,
    );
    expect(f).toMatchObject({
      issuer_mark: "X街道办事处文件",
      doc_number: "X街办发〔2026〕3号",
      recipients: "各社区居委会、辖区各单位",
      date_written: "2026年3月5日",
      printed_on: "2026年3月6日印发",
      cc: "区城市管理局",
      urgency: "加急",
      copy_no: "",
      signers: "",
      copies: "30",
    });
  });

  it("a classified upward document carries a copy number and its signer", () => {
    const f = outgoingForm(
      outgoing({ classification: "confidential", secrecy_term: "1年", type: "request" }),
      office,
      7,
    );
    expect(f.copy_no).toBe("000007");
    expect(f.classification).toBe("机密★1年");
    expect(f.signers).toBe("张伟");
  });
});
