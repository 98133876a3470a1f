import { addDays, formatInstant, instantAt, officeDate } from "../core/dates.js";
import {
  type ActionContext,
  type ActionResult,
  createRecord,
  fileRecord,
  revise,
  route,
  sign,
} from "../core/engine.js";
import { formatId } from "../core/ids.js";
import { addMonths } from "../core/kinds/indicator.js";
import { meetingSettings, replyToNotice } from "../core/kinds/meeting.js";
import type { Person, RecordDoc } from "../core/model.js";
import { orderedRecord, roleValue, summarize, titleFromTemplate } from "../core/record.js";
import type { WorkflowDef } from "../core/workflow.js";
import { yaml } from "../store/lazy.js";
import { OFFICE_FILE, recordRel } from "../store/registry.js";
import { transact } from "../store/transact.js";
import { documentText, toYaml } from "../store/yaml-io.js";
import { type Ctx, identityOf } from "./context.js";

/** The seed's office: its units, the people it names in charge, and leaders. */
const UNITS = [
  { id: "dangzhengban", name: "党政办", code: "BGS" },
  { id: "economy", name: "经济发展办", code: "JJB", leader: "wu-min" },
  { id: "urban", name: "城市管理科", code: "CGK", leader: "zhou-qiang" },
  { id: "social", name: "社会事务科", code: "SWK", leader: "wu-min" },
  { id: "safety", name: "安全生产监督站", code: "AJZ", leader: "zhou-qiang" },
];

/** The demo office's main economic indicators (seed §5), reported monthly by three units. */
const INDICATORS = [
  {
    id: "investment",
    label: { en: "Fixed-asset investment", "zh-CN": "固定资产投资" },
    measure: "万元",
    total: "sum",
    decimals: 2,
    units: ["economy", "urban"],
  },
  {
    id: "retail",
    label: { en: "Retail sales of consumer goods", "zh-CN": "社会消费品零售总额" },
    measure: "万元",
    total: "sum",
    decimals: 2,
    units: ["economy", "social"],
  },
  {
    id: "new_firms",
    label: { en: "New market entities", "zh-CN": "新增市场主体" },
    measure: "个",
    total: "sum",
    decimals: 0,
    units: ["economy", "social"],
  },
  {
    id: "tax_growth",
    label: { en: "Tax revenue growth", "zh-CN": "税收增速" },
    measure: "%",
    total: "average",
    decimals: 1,
    units: ["economy", "urban"],
  },
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
    doc.setIn(["prefixes", "upward-report"], "X街党报");
    doc.setIn(["issuer_marks", "party-committee"], "中共X街道工作委员会文件");
    doc.setIn(["issuer_marks", "office"], "X街道办事处文件");
    doc.setIn(["issuer_marks", "party-government-office"], "X街道党政办公室文件");
    doc.set("printed_by", "X街道党政办公室");
    doc.set("units", doc.createNode(UNITS));
    doc.set("people", doc.createNode(PEOPLE));
    doc.set("indicators", doc.createNode(INDICATORS));
    tx.put(OFFICE_FILE, documentText(doc));
    await tx.commit({
      action: "demo",
      subject: "demo: the seed's office, its units and people",
      author: identity,
      committer: identity,
      // In office time at the injected clock (OFFICE_DOC_NOW), like every other commit.
      authorDate: ctx.stamp(),
      committerDate: ctx.stamp(),
    });
  });
  ctx.reg.forget();

  const office = ctx.office();
  const wf = ctx.reg.workflow("incoming");
  const wfOut = ctx.reg.workflow("outgoing");
  const wfCall = ctx.reg.workflow("call");
  const wfOf = (kind: string) =>
    kind === "outgoing"
      ? wfOut
      : kind === "call"
        ? wfCall
        : kind === "incoming"
          ? wf
          : ctx.reg.workflow(kind);
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
  // As `file` does: the responsible unit's code in the archive number (DA/T 22), so verify agrees.
  await step(c, (r) => {
    const unitCode = office.units.find((u) => u.id === roleValue(r.fields, wf, "responsible-unit"))?.code;
    return fileRecord(r, ac("liu-qingzhu", back(7, "15:00")), "10y", 1, unitCode);
  });

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
  await demoIndicators(ctx, save, person, today);
  await demoSupervision(ac, save, back, year, (n) => calendar.addWorkingDays(today, n).date);
  await demoMeetings(ctx, back, year);
}

/**
 * Meetings of the demo (issue 16): one held last week, its decision a supervised task being
 * undertaken; one approved for the coming days, its notice issued and two replies in.
 */
async function demoMeetings(
  ctx: Ctx,
  back: (n: number, time: string) => number,
  year: number,
): Promise<void> {
  const office = ctx.office();
  const calendar = ctx.reg.calendar();
  const tz = office.timezone;
  const wf = ctx.reg.workflow("meeting");
  const taskWf = ctx.reg.workflow("task");
  const person = (id: string) => office.people.find((p) => p.id === id) as Person;
  const ac = (who: string, at: number, as?: string, w = wf): ActionContext => ({
    office,
    wf: w,
    calendar,
    now: at,
    actor: person(as ?? who),
    recorder: person(who),
    hooks: ctx.reg.hooks,
  });
  // Working days ahead of today, at a time of day.
  const ahead = (n: number, time: string) =>
    instantAt(calendar.addWorkingDays(officeDate(ctx.now(), tz), n).date, time, tz);
  const save = async (results: ActionResult[], own?: Record<string, string>) => {
    await transact(ctx.reg, "demo", async (tx) => {
      for (const r of results) {
        const w = r.record.kind === wf.kind ? wf : taskWf;
        tx.put(recordRel(w.kind, r.record.id), toYaml(orderedRecord(r.record, w)));
        tx.summary(summarize(r.record, w));
      }
      const [first] = results as [ActionResult];
      await tx.commit({
        action: first.event.action,
        record: results.map((r) => r.record.id).join(", "),
        subject: `${first.event.action} ${first.record.id}: ${first.record.title}`,
        author: identityOf(person(first.event.actor)),
        committer: identityOf(person(first.event.recorded_by)),
        actorId: first.event.actor,
        recorderId: first.event.recorded_by,
        authorDate: first.event.at,
        committerDate: first.event.at,
        ...(own ? { recordActions: own } : {}),
      });
    });
    return (results[0] as ActionResult).record;
  };
  const scope = ["dangzhengban", "zhou-qiang", "wu-min", "zhang-wei"];
  const fields = (start: number, content: string, replyBy: number) => ({
    start: formatInstant(start, tz),
    end: formatInstant(start + 2 * 3600_000, tz),
    place: "room-1",
    scope,
    content,
    unit: "dangzhengban",
    reply_by: officeDate(replyBy, tz),
  });
  // Held five working days ago: checked, signed in, wrapped up with one decision (TASK-1).
  const held = back(5, "09:00");
  let m = await save([
    createRecord(
      ac("wang-shoujie", back(8, "10:00")),
      formatId({ prefix: wf.prefix, year, seq: 1 }),
      "党政办主任办公会",
      fields(held, "研究冬季安全生产和环境整治工作", back(6, "09:00")),
      back(8, "10:00"),
    ),
  ]);
  m = await save([sign(m, ac("wang-shoujie", back(8, "15:00")), { opinion: "议题已审核。" })]);
  m = await save([sign(m, ac("wang-shoujie", back(7, "09:00"), "yu-kai"), { opinion: "同意召开。" })]);
  m = await save([sign(m, ac("wang-shoujie", back(7, "10:00")), {})]);
  const checklist = (m.fields.checklist as unknown[] | undefined) ?? [];
  m = await save([
    sign(m, ac("wang-shoujie", back(5, "08:30")), {
      set: {
        checklist: [
          ...checklist,
          ...meetingSettings(office).checklist.map((c) => ({ item: c.id, state: "ok" })),
        ],
      },
    }),
  ]);
  m = await save([
    sign(m, ac("wang-shoujie", back(5, "09:05")), {
      set: {
        present: ["yu-kai", "wang-shoujie", "liu-qingzhu", "zhou-qiang", "zhang-wei"],
        absent: [{ person: "wu-min", reason: "区里开会" }],
      },
    }),
  ]);
  const taskId = formatId({ prefix: taskWf.prefix, year, seq: 1 });
  const due = officeDate(ahead(5, "09:00"), tz);
  const task = createRecord(
    ac("wang-shoujie", back(4, "16:00"), undefined, taskWf),
    taskId,
    "开展辖区消防通道专项整治",
    { unit: "safety", due_date: due, category: "meeting-decision", source: m.id },
    back(4, "16:00"),
  );
  await save(
    [
      sign(m, ac("wang-shoujie", back(4, "16:00")), {
        set: {
          cleanup: "会场已清理，材料已收回。",
          decisions: [{ text: task.record.title, unit: "safety", due, task: taskId }],
        },
      }),
      task,
    ],
    { [taskId]: taskWf.create_action },
  );
  // Approved for three working days ahead: the notice issued, two replies in.
  const next = ahead(3, "09:00");
  let n = await save([
    createRecord(
      ac("wang-shoujie", back(1, "10:00")),
      formatId({ prefix: wf.prefix, year, seq: 2 }),
      "党政办主任办公会",
      fields(next, "研究春节前后值班和安全稳定工作", ahead(2, "09:00")),
      back(1, "10:00"),
    ),
  ]);
  n = await save([sign(n, ac("wang-shoujie", back(1, "15:00")), { opinion: "议题已审核。" })]);
  n = await save([sign(n, ac("wang-shoujie", back(0, "09:00"), "yu-kai"), { opinion: "同意召开。" })]);
  n = await save([sign(n, ac("wang-shoujie", back(0, "09:30")), {})]);
  n = await save([
    replyToNotice(n, ac("wang-shoujie", back(0, "10:00"), "zhou-qiang"), { answer: "attend" }),
  ]);
  await save([
    replyToNotice(n, ac("wang-shoujie", back(0, "10:10"), "wu-min"), { answer: "leave", reason: "外出学习" }),
  ]);
}

/**
 * Indicator reports of the demo: last month's approved for the three reporting units (one figure
 * re-reported at the analysis meeting); this month's opened on the 1st, the economy office's
 * submitted and signed, the others still expected.
 */
async function demoIndicators(
  ctx: Ctx,
  save: (res: ActionResult) => Promise<RecordDoc>,
  person: (id: string) => Person,
  today: string,
): Promise<void> {
  const wf = ctx.reg.workflow("indicator");
  const office = ctx.office();
  const calendar = ctx.reg.calendar();
  const tz = office.timezone;
  const at = (day: string, time: string) => Math.min(instantAt(day, time, tz), ctx.now());
  const ac = (who: string, when: number, as?: string): ActionContext => ({
    office,
    wf,
    calendar,
    now: when,
    actor: person(as ?? who),
    recorder: person(who),
    hooks: ctx.reg.hooks,
  });
  const year = Number(today.slice(0, 4));
  let seq = 0;
  const nextId = (y: number) => formatId({ prefix: wf.prefix, year: y, seq: ++seq });
  const month = today.slice(0, 7);
  const prev = addMonths(month, -1);
  const titleOf = (fields: Record<string, unknown>) =>
    titleFromTemplate(wf.title.template ?? "{month} {unit}", fields, wf, office);
  const last: [string, Record<string, string>][] = [
    ["economy", { investment: "3260.50", retail: "5120.00", new_firms: "46", tax_growth: "6.2" }],
    ["urban", { investment: "1875.25", tax_growth: "4.8" }],
    ["social", { retail: "2310.75", new_firms: "19" }],
  ];
  for (const [unit, figures] of last) {
    const fields = { unit, month: prev, figures };
    const t0 = at(`${prev}-20`, "10:00");
    // Last month's reports may have been made in last year (December's, in January).
    let r = await save(
      createRecord(ac("liu-qingzhu", t0), nextId(Number(prev.slice(0, 4))), titleOf(fields), fields, t0),
    );
    const leader = office.units.find((u) => u.id === unit)?.leader ?? "zhou-qiang";
    r = await save(sign(r, ac("liu-qingzhu", at(`${prev}-24`, "16:00"), leader), { opinion: "同意上报。" }));
    if (unit === "urban")
      r = await save(
        revise(
          r,
          ac("wang-shoujie", at(`${prev}-26`, "10:30")),
          r.title,
          { figures: { investment: "1902.25" } },
          at(`${prev}-26`, "10:30"),
          "分析会核实：补计一项续建工程投资",
        ),
      );
    r = await save(
      sign(r, ac("yu-kai", at(`${prev}-26`, "11:00"), "zhang-wei"), { opinion: "数据已审核。" }),
    );
    await save(sign(r, ac("yu-kai", at(`${prev}-27`, "15:00"), "li-jianguo"), { opinion: "同意。" }));
  }
  // This month: opened on the 1st; the economy office has submitted and its leader has signed.
  if (prev.slice(0, 4) !== String(year)) seq = 0;
  const opened = at(`${month}-01`, "07:00");
  for (const unit of ["economy", "urban", "social"]) {
    const fields = { unit, month, figures: {} };
    const res = createRecord(ac("liu-qingzhu", opened), nextId(year), titleOf(fields), fields, opened);
    res.event.action = "open";
    let r = await save(res);
    if (unit !== "economy") continue;
    const t1 = at(today, "09:00");
    r = await save(
      revise(
        r,
        ac("sun-li", t1),
        r.title,
        { figures: { investment: "3410.80", retail: "5388.40", new_firms: "52", tax_growth: "6.5" } },
        t1,
      ),
    );
    await save(sign(r, ac("liu-qingzhu", at(today, "10:00"), "wu-min"), { opinion: "同意上报。" }));
  }
}

/**
 * Issue 15's kinds in the demo, one of each at a stage the supervision ledger shows: a task from a
 * superior under investigation (green), a request whose implementation is overdue (red), an
 * inspection waiting for two of its units' materials (yellow).
 */
async function demoSupervision(
  ac: (who: string, at: number, as?: string, kind?: string) => ActionContext,
  save: (res: ActionResult) => Promise<RecordDoc>,
  back: (n: number, time: string) => number,
  year: number,
  ahead: (workingDays: number) => string,
): Promise<void> {
  const step = async (rec: RecordDoc, f: (r: RecordDoc) => ActionResult) => save(f(rec));
  const create = (kind: string, prefix: string, title: string, fields: Record<string, unknown>, at: number) =>
    save(
      createRecord(
        ac("liu-qingzhu", at, undefined, kind),
        formatId({ prefix, year, seq: 1 }),
        title,
        fields,
        at,
      ),
    );
  const S = (who: string, at: number, as?: string) => ac(who, at, as, "superior");
  let sup = await create(
    "superior",
    "SUP",
    "关于报送辖区燃气安全隐患排查整治情况的通知",
    {
      from: "区城市管理委员会",
      source: "letter",
      their_number: `区城管发〔${year}〕8号`,
      deadline: ahead(8),
    },
    back(2, "09:20"),
  );
  sup = await step(sup, (r) =>
    sign(r, S("liu-qingzhu", back(1, "10:00"), "li-jianguo"), {
      opinion: "请周强同志牵头，城管科具体承办，按时报送。",
      to: ["zhou-qiang", "urban"],
    }),
  );
  await step(sup, (r) =>
    sign(r, S("liu-qingzhu", back(0, "09:30"), "zhao-lei"), { opinion: "排查已完成，报告初稿已成。" }),
  );

  const R = (who: string, at: number, as?: string) => ac(who, at, as, "request");
  let req = await create(
    "request",
    "REQ",
    "关于购置应急救援器材的请示",
    { unit: "safety", content: "拟购置应急照明、救生器材一批，约需经费2.6万元。" },
    back(5, "10:00"),
  );
  req = await step(req, (r) =>
    sign(r, R("liu-qingzhu", back(5, "11:00"), "zheng-hao"), { opinion: "情况属实。" }),
  );
  req = await step(req, (r) => sign(r, R("liu-qingzhu", back(5, "15:00"), "wu-min"), { opinion: "同意。" }));
  req = await step(req, (r) => sign(r, R("wang-shoujie", back(5, "16:00")), { opinion: "拟请李书记批示。" }));
  await step(req, (r) =>
    sign(r, R("yu-kai", back(4, "09:00"), "li-jianguo"), {
      opinion: "同意，请安监站按规定采购。",
      to: ["safety"],
    }),
  );

  const I = (who: string, at: number, as?: string) => ac(who, at, as, "inspection");
  let insp = await create(
    "inspection",
    "INSP",
    "安全生产大检查落实情况督查",
    {
      category: "reform-development-stability",
      content: "各单位安全生产大检查部署、隐患整改落实情况",
      form: "special",
      method: "on-site",
      steps: "自查自纠、报送材料、现场督查、通报",
      start: ahead(3),
      end: ahead(5),
      units: ["urban", "safety", "economy"],
      deadline: ahead(2),
    },
    back(3, "14:00"),
  );
  insp = await step(insp, (r) => sign(r, I("yu-kai", back(2, "09:00"), "chen-hong"), { opinion: "同意。" }));
  insp = await step(insp, (r) => sign(r, I("yu-kai", back(2, "10:00"), "li-jianguo"), { opinion: "同意。" }));
  insp = await step(insp, (r) => sign(r, I("wang-shoujie", back(1, "09:00")), {}));
  await step(insp, (r) =>
    sign(r, I("liu-qingzhu", back(0, "09:00"), "zhao-lei"), { opinion: "书面材料已报送。" }),
  );
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
  return `${ctx.t("demo.tour", { dir })}${ctx.t("demo.tour-meetings")}`;
}
