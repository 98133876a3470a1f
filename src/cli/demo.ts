import { addDays, instantAt, officeDate } from "../core/dates.js";
import {
  type ActionContext,
  type ActionResult,
  createRecord,
  fileRecord,
  route,
  sign,
} from "../core/engine.js";
import { formatId } from "../core/ids.js";
import type { Person, RecordDoc } from "../core/model.js";
import { orderedRecord, summarize } from "../core/record.js";
import type { WorkflowDef } from "../core/workflow.js";
import { yaml } from "../store/lazy.js";
import { OFFICE_FILE, recordRel } from "../store/registry.js";
import { transact } from "../store/transact.js";
import { documentText, toYaml } from "../store/yaml-io.js";
import { type Ctx, identityOf } from "./context.js";

/** The seed's office: its units, the people it names in charge, and leaders. */
const UNITS = [
  { id: "dangzhengban", name: "党政办", code: "BGS" },
  { id: "economy", name: "经济发展办", code: "JJB" },
  { id: "urban", name: "城市管理科", code: "CGK" },
  { id: "social", name: "社会事务科", code: "SWK" },
  { id: "safety", name: "安全生产监督站", code: "AJZ" },
];

const PEOPLE = [
  {
    id: "yu-kai",
    name: "于凯",
    email: "yu-kai@x-street.gov.cn",
    roles: ["office-head", "office", "unit-head"],
    unit: "dangzhengban",
  },
  {
    id: "wang-shoujie",
    name: "王守杰",
    email: "wang-shoujie@x-street.gov.cn",
    roles: ["office"],
    unit: "dangzhengban",
  },
  {
    id: "liu-qingzhu",
    name: "刘庆柱",
    email: "liu-qingzhu@x-street.gov.cn",
    roles: ["office", "clerk"],
    unit: "dangzhengban",
  },
  {
    id: "chang-liqun",
    name: "常丽群",
    email: "chang-liqun@x-street.gov.cn",
    roles: ["clerk"],
    unit: "dangzhengban",
  },
  { id: "li-jianguo", name: "李建国", email: "li-jianguo@x-street.gov.cn", roles: ["party-secretary"] },
  { id: "zhang-wei", name: "张伟", email: "zhang-wei@x-street.gov.cn", roles: ["director"] },
  { id: "chen-hong", name: "陈红", email: "chen-hong@x-street.gov.cn", roles: ["resident-secretary"] },
  { id: "zhou-qiang", name: "周强", email: "zhou-qiang@x-street.gov.cn", roles: ["leader"] },
  { id: "wu-min", name: "吴敏", email: "wu-min@x-street.gov.cn", roles: ["leader"] },
  { id: "zhao-lei", name: "赵磊", email: "zhao-lei@x-street.gov.cn", roles: ["unit-head"], unit: "urban" },
  { id: "qian-fang", name: "钱芳", email: "qian-fang@x-street.gov.cn", roles: ["staff"], unit: "urban" },
  { id: "sun-li", name: "孙丽", email: "sun-li@x-street.gov.cn", roles: ["unit-head"], unit: "economy" },
  { id: "zheng-hao", name: "郑浩", email: "zheng-hao@x-street.gov.cn", roles: ["unit-head"], unit: "safety" },
];

/** Fill a fresh registry with the seed's office and a few incoming documents at every stage. */
export async function buildDemo(ctx: Ctx): Promise<void> {
  const identity = await ctx.setupIdentity();
  await transact(ctx.reg, "demo", async (tx) => {
    const doc = yaml().parseDocument(ctx.reg.readText(OFFICE_FILE) ?? "");
    doc.set("name", "X街道办事处");
    doc.set("fonds", "Z109");
    doc.setIn(["prefixes", "party-committee"], "X街党发");
    doc.setIn(["prefixes", "office"], "X街办发");
    doc.setIn(["prefixes", "party-government-office"], "X街党政办发");
    doc.setIn(["issuer_marks", "party-committee"], "中共X街道工作委员会文件");
    doc.setIn(["issuer_marks", "office"], "X街道办事处文件");
    doc.setIn(["issuer_marks", "party-government-office"], "X街道党政办公室文件");
    doc.set("printed_by", "X街道党政办公室");
    doc.set("units", doc.createNode(UNITS));
    doc.set("people", doc.createNode(PEOPLE));
    tx.put(OFFICE_FILE, documentText(doc));
    await tx.commit({
      action: "demo",
      subject: "demo: the seed's office, its units and people",
      author: identity,
      committer: identity,
    });
  });
  ctx.reg.forget();

  const office = ctx.office();
  const wf = ctx.reg.workflow("incoming");
  const wfOut = ctx.reg.workflow("outgoing");
  const wfCall = ctx.reg.workflow("call");
  const wfOf = (kind: string) => (kind === "outgoing" ? wfOut : kind === "call" ? wfCall : wf);
  const calendar = ctx.reg.calendar();
  const tz = office.timezone;
  const person = (id: string) => office.people.find((p) => p.id === id) as Person;
  const today = officeDate(ctx.now(), tz);
  // Working days back from today, at a given time of day: the demo is always "recent".
  const back = (n: number, time: string) => {
    let d = today;
    for (let i = 0; i < n; ) {
      d = addDays(d, -1);
      if (calendar.isWorkingDay(d)) i++;
    }
    return Math.min(instantAt(d, time, tz), ctx.now());
  };
  const ac = (who: string, at: number, as?: string, kind = "incoming"): ActionContext => ({
    office,
    wf: wfOf(kind),
    calendar,
    now: at,
    actor: person(as ?? who),
    recorder: person(who),
    hooks: ctx.reg.hooks,
  });
  let seq = 0;
  const year = Number(today.slice(0, 4));
  const save = async (res: ActionResult) => {
    await transact(ctx.reg, "demo", async (tx) => {
      const w = wfOf(res.record.kind);
      tx.put(recordRel(w.kind, res.record.id), toYaml(orderedRecord(res.record, w)));
      tx.summary(summarize(res.record, w));
      await tx.commit({
        action: res.event.action,
        record: res.record.id,
        subject: `${res.event.action} ${res.record.id}: ${res.record.title}`,
        author: identityOf(person(res.event.actor)),
        committer: identityOf(person(res.event.recorded_by)),
        actorId: res.event.actor,
        recorderId: res.event.recorded_by,
        authorDate: res.event.at,
        committerDate: res.event.at,
      });
    });
    return res.record;
  };
  const receive = async (title: string, fields: Record<string, unknown>, at: number): Promise<RecordDoc> => {
    const id = formatId({ prefix: wf.prefix, year, seq: ++seq });
    return save(
      createRecord(
        ac("liu-qingzhu", at),
        id,
        title,
        { urgency: "normal", classification: "none", channel: "paper", ...fields },
        at,
      ),
    );
  };
  const step = async (rec: RecordDoc, f: (r: RecordDoc) => ActionResult) => save(f(rec));

  // 1. Instructed five working days ago, undertaking overdue.
  let a = await receive(
    "关于做好冬季安全生产工作的通知",
    { from: "区应急管理局", doc_number: `区应急发〔${year}〕12号`, type: "notice", pages: 4, copies: 1 },
    back(6, "09:10"),
  );
  a = await step(a, (r) =>
    sign(r, ac("wang-shoujie", back(6, "10:30")), { opinion: "拟请李书记阅示，由安监站、城管科落实。" }),
  );
  await step(a, (r) =>
    sign(r, ac("yu-kai", back(5, "16:00"), "li-jianguo"), {
      opinion: "请安监站牵头、城管科配合，抓好落实。",
      to: ["safety", "urban"],
    }),
  );

  // 2. Urgent e-gov document received this morning, waiting for the proposal: due today.
  await receive(
    "关于开展寒潮天气防范应对工作的紧急通知",
    {
      from: "区政府办公室",
      doc_number: `区政办发〔${year}〕31号`,
      type: "notice",
      pages: 2,
      urgency: "urgent",
      channel: "egov",
    },
    Math.min(instantAt(today, "08:05", tz), ctx.now()),
  );

  // 3. A finished document, filed.
  let c = await receive(
    "关于印发《社区网格化管理工作规范》的通知",
    { from: "区委政法委", doc_number: `区政法发〔${year}〕7号`, type: "notice", pages: 9 },
    back(12, "09:00"),
  );
  c = await step(c, (r) =>
    sign(r, ac("wang-shoujie", back(12, "11:00")), { opinion: "拟请李书记阅示，社会事务科办理。" }),
  );
  c = await step(c, (r) =>
    sign(r, ac("yu-kai", back(11, "15:00"), "li-jianguo"), {
      opinion: "同意，请社会事务科落实。",
      to: ["social"],
    }),
  );
  c = await step(c, (r) => route(r, ac("yu-kai", back(11, "15:10")), ["social", "urban"]));
  c = await step(c, (r) => sign(r, ac("yu-kai", back(10, "10:00"), "zhao-lei"), { opinion: "已组织学习。" }));
  c = await step(c, (r) =>
    sign(r, ac("wang-shoujie", back(9, "16:00")), { opinion: "已按要求落实，报李书记。" }),
  );
  c = await step(c, (r) => route(r, ac("yu-kai", back(8, "09:00")), ["zhang-wei", "zhou-qiang"]));
  c = await step(c, (r) => sign(r, ac("yu-kai", back(8, "10:00"), "zhang-wei"), { opinion: "已阅。" }));
  c = await step(c, (r) => sign(r, ac("yu-kai", back(7, "10:00"), "zhou-qiang"), { opinion: "已阅。" }));
  await step(c, (r) => fileRecord(r, ac("liu-qingzhu", back(7, "15:00")), "10y", 1));

  // 4. In circulation: one reader signed, one still to read.
  let e = await receive(
    `关于${year}年度经济运行情况的通报`,
    { from: "区统计局", doc_number: `区统发〔${year}〕5号`, type: "bulletin", pages: 6 },
    back(4, "09:30"),
  );
  e = await step(e, (r) => sign(r, ac("wang-shoujie", back(4, "10:00")), { opinion: "拟请各领导传阅。" }));
  e = await step(e, (r) =>
    sign(r, ac("yu-kai", back(3, "09:00"), "li-jianguo"), {
      opinion: "请经济发展办研究落实。",
      to: ["economy"],
    }),
  );
  e = await step(e, (r) => sign(r, ac("sun-li", back(2, "16:00")), { opinion: "已形成分析材料。" }));
  e = await step(e, (r) => sign(r, ac("wang-shoujie", back(1, "09:00")), {}));
  e = await step(e, (r) => route(r, ac("yu-kai", back(1, "09:30")), ["zhang-wei", "wu-min", "zhou-qiang"]));
  await step(e, (r) => sign(r, ac("yu-kai", back(1, "14:00"), "zhang-wei"), { opinion: "已阅。" }));

  // 5. A confidential document: registration data only, waiting for the party secretary.
  const f = await receive(
    "关于做好重要时期维稳工作的通知",
    {
      from: "区委办公室",
      doc_number: `区委办〔${year}〕9号`,
      type: "notice",
      pages: 3,
      classification: "confidential",
      secrecy_term: "1年",
    },
    back(1, "11:00"),
  );
  await step(f, (r) => sign(r, ac("yu-kai", back(1, "11:30")), { opinion: "拟请李书记阅示。" }));

  await demoOutgoingAndCalls(ac, save, back, year, wfOut, wfCall);
}

/** Outgoing documents and calls of the demo: one of each at an instructive stage. */
async function demoOutgoingAndCalls(
  ac: (who: string, at: number, as?: string, kind?: string) => ActionContext,
  save: (res: ActionResult) => Promise<RecordDoc>,
  back: (n: number, time: string) => number,
  year: number,
  wfOut: WorkflowDef,
  wfCall: WorkflowDef,
): Promise<void> {
  const O = (who: string, at: number, as?: string) => ac(who, at, as, "outgoing");
  const C = (who: string, at: number, as?: string) => ac(who, at, as, "call");
  const step = async (rec: RecordDoc, f: (r: RecordDoc) => ActionResult) => save(f(rec));
  // An office document issued, numbered X街办发〔YYYY〕1号 and distributed.
  const t1 = back(5, "09:00");
  let o = await save(
    createRecord(
      O("wang-shoujie", t1),
      formatId({ prefix: wfOut.prefix, year, seq: 1 }),
      "关于开展冬季环境卫生整治工作的通知",
      {
        category: "office",
        unit: "urban",
        type: "notice",
        urgency: "normal",
        classification: "none",
        recipients: ["各社区居委会", "辖区各单位"],
        cc: ["区城市管理局"],
        copies: 40,
        pages: 3,
      },
      t1,
    ),
  );
  o = await step(o, (r) => sign(r, O("wang-shoujie", back(5, "10:00"), "zhao-lei"), { opinion: "同意。" }));
  o = await step(o, (r) => sign(r, O("wang-shoujie", back(5, "11:00")), { opinion: "格式已核。" }));
  o = await step(o, (r) =>
    sign(r, O("wang-shoujie", back(4, "09:00"), "zhou-qiang"), { opinion: "同意印发。" }),
  );
  o = await step(o, (r) => sign(r, O("yu-kai", back(4, "15:00"), "li-jianguo"), { opinion: "同意。" }));
  o = await step(o, (r) => sign(r, O("yu-kai", back(3, "10:00"), "zhang-wei"), { opinion: "签发。" }));
  o = await step(o, (r) =>
    sign(r, O("yu-kai", back(3, "10:30")), { set: { doc_number: `X街办发〔${year}〕1号` } }),
  );
  o = await step(o, (r) => sign(r, O("yu-kai", back(3, "11:00")), {}));
  o = await step(o, (r) => sign(r, O("wang-shoujie", back(2, "10:00")), {}));
  await step(o, (r) => sign(r, O("liu-qingzhu", back(2, "15:00")), {}));
  // A party-committee document waiting for the party secretary's sign-off.
  const t2 = back(1, "09:00");
  let p = await save(
    createRecord(
      O("wang-shoujie", t2),
      formatId({ prefix: wfOut.prefix, year, seq: 2 }),
      "关于召开街道党工委（扩大）会议的通知",
      {
        category: "party-committee",
        unit: "dangzhengban",
        type: "notice",
        urgency: "urgent",
        classification: "none",
        recipients: ["各社区党组织", "街道各科室"],
        copies: 25,
      },
      t2,
    ),
  );
  p = await step(p, (r) => sign(r, O("yu-kai", back(1, "09:30")), { opinion: "同意。" }));
  p = await step(p, (r) => sign(r, O("wang-shoujie", back(1, "10:00")), { opinion: "格式已核。" }));
  p = await step(p, (r) => sign(r, O("wang-shoujie", back(1, "11:00"), "wu-min"), { opinion: "同意。" }));
  await step(p, (r) => sign(r, O("yu-kai", back(1, "16:00"), "li-jianguo"), { opinion: "审核同意。" }));
  // Calls: one transferred to the urban unit (ordinary, 2 working days), one answered at once.
  const t3 = back(3, "14:20");
  let c = await save(
    createRecord(
      C("chang-liqun", t3),
      formatId({ prefix: wfCall.prefix, year, seq: 1 }),
      "小区门口路灯损坏多日，夜间出行不便",
      {
        caller: "张建华",
        phone: "13812345678",
        address: "幸福里小区3号楼",
        channel: "phone",
        type: "help",
        category: "ordinary",
        important: false,
      },
      t3,
    ),
  );
  await step(c, (r) => route(r, C("chang-liqun", back(3, "14:30")), ["urban"]));
  const t4 = back(0, "10:05");
  c = await save(
    createRecord(
      C("chang-liqun", t4),
      formatId({ prefix: wfCall.prefix, year, seq: 2 }),
      "咨询社区老年食堂的开放时间",
      {
        caller: "李秀英",
        phone: "010-62345678",
        channel: "phone",
        type: "consultation",
        category: "immediate",
        important: false,
      },
      t4,
    ),
  );
  await step(c, (r) => sign(r, C("chang-liqun", back(0, "10:10")), { opinion: "当场答复。" }));
}

/** What `demo` prints: where the registry is and what to try. */
export async function demoTour(ctx: Ctx): Promise<string> {
  const dir = ctx.reg.dir;
  return ctx.t("demo.tour", { dir });
}
