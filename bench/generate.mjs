#!/usr/bin/env node
// Generate a registry of N records for the benchmark: a real `office-doc init`, units and people
// added through the bin, then record files whose shape is exactly what the tool writes, with one git
// commit per history event (so `office-doc check` finds the files and git telling the same story).
//
//   node bench/generate.mjs 50000 [--open 5000] [--force] [--out DIR]
//
// Registries are cached under bench/out/registries/, keyed by N, the open count, the generator
// version and a hash of the workflow templates: a second run reuses them.

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as C from "./lib/content.mjs";
import { bloomFilter, CommitGraphBuilder } from "./lib/gitgraph.mjs";
import { FolderTree, objectId, PackWriter, SmallTree, textDelta } from "./lib/gitpack.mjs";
import { recordId, recordPath } from "./lib/layout.mjs";
import { emitTopItem, emitYaml, verifyEmitter } from "./lib/yaml-emit.mjs";

export const GENERATOR_VERSION = 4;
const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "..");
export const BIN = join(ROOT, "bin", "office-doc.js");
export const OUT = join(HERE, "out");
const require = createRequire(join(ROOT, "package.json"));
const jsYaml = require("js-yaml");
const yamlLib = require("yaml");

/** The clock of every generated registry and of the benchmark runs (a Friday, calendar covered). */
export const NOW = "2026-11-27T09:30:00+08:00";
const NOW_MS = Date.parse(NOW);
const YEARS = [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026];
const TZ_MS = 8 * 3600_000;
const TZ = "+08:00";

// ---------------------------------------------------------------------------------------------
// Kinds. Another kind is one more entry: its share of the records and a planner that says what
// happens to a record (see planIncoming). The engine below runs any workflow made of role steps and
// routed steps, like the tool's engine.
// ---------------------------------------------------------------------------------------------
export const KINDS = [{ kind: "incoming", share: 1, plan: planIncoming }];

// ---------------------------------------------------------------------------------------------
// Small utilities
// ---------------------------------------------------------------------------------------------
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rng, xs) => xs[Math.floor(rng() * xs.length)];
const between = (rng, lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));

const officeDate = (ms) => new Date(ms + TZ_MS).toISOString().slice(0, 10);
const formatInstant = (ms) => `${new Date(ms + TZ_MS).toISOString().slice(0, 19)}${TZ}`;
const addDays = (d, n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const msOf = (date, minuteOfDay) => Date.parse(`${date}T00:00:00Z`) - TZ_MS + minuteOfDay * 60_000;
const minuteOf = (ms) => Math.floor(((ms + TZ_MS) % 86_400_000) / 60_000);

class Calendar {
  constructor(dir) {
    this.rest = new Set();
    this.work = new Set();
    this.memo = new Map();
    this.next = new Map();
    for (const f of readdirSync(join(dir, "calendar"))) {
      if (!/^\d{4}\.yaml$/.test(f)) continue;
      const y = jsYaml.load(readFileSync(join(dir, "calendar", f), "utf8"), { schema: jsYaml.CORE_SCHEMA });
      for (const d of Object.keys(y.rest ?? {})) this.rest.add(d);
      for (const d of Object.keys(y.work ?? {})) this.work.add(d);
    }
  }
  isWorkingDay(d) {
    let w = this.memo.get(d);
    if (w === undefined) {
      if (this.work.has(d)) w = true;
      else if (this.rest.has(d)) w = false;
      else {
        const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
        w = wd >= 1 && wd <= 5;
      }
      this.memo.set(d, w);
    }
    return w;
  }
  addWorkingDays(d, n) {
    let x = d;
    for (let k = 0; k < n; k++) x = this.nextWorkingDay(x);
    return x;
  }
  nextWorkingDay(d) {
    let x = this.next.get(d);
    if (x === undefined) {
      x = addDays(d, 1);
      while (!this.isWorkingDay(x)) x = addDays(x, 1);
      this.next.set(d, x);
    }
    return x;
  }
  workingDays(from, to) {
    const out = [];
    for (let d = from; d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) out.push(d);
    return out;
  }
}

const DAY_START = 8 * 60 + 30;
const DAY_END = 17 * 60 + 30;

/** `minutes` of office hours after `ms` (08:30–17:30 on working days), plus a few seconds. */
function afterWork(cal, rng, ms, minutes) {
  let d = officeDate(ms);
  let m = minuteOf(ms);
  if (!cal.isWorkingDay(d) || m >= DAY_END) {
    d = cal.nextWorkingDay(d);
    m = DAY_START;
  } else if (m < DAY_START) m = DAY_START;
  m += minutes;
  while (m >= DAY_END) {
    m = DAY_START + (m - DAY_END);
    d = cal.nextWorkingDay(d);
  }
  return msOf(d, m) + between(rng, 0, 59) * 1000;
}
const WORKDAY_MIN = DAY_END - DAY_START;

// ---------------------------------------------------------------------------------------------
// The engine: the tool's semantics (src/core/engine.ts) for the steps the generated kinds use.
// ---------------------------------------------------------------------------------------------
class Engine {
  constructor(office, wf, cal) {
    this.office = office;
    this.wf = wf;
    this.cal = cal;
    // What this engine does not implement yet: a kind that needs it fails here, not with records
    // the tool would reject.
    const unsupported = [];
    if (wf.deadline) unsupported.push("deadline");
    for (const st of wf.steps) {
      for (const k of ["when", "stamps", "requires", "numbers"])
        if (st[k] !== undefined) unsupported.push(`${st.id}.${k}`);
      for (const k of ["unit_field", "role_by_field", "same_as"])
        if (st.actor?.[k] !== undefined) unsupported.push(`${st.id}.actor.${k}`);
    }
    if (unsupported.length)
      throw new Error(
        `generator engine: workflow ${wf.kind} uses ${unsupported.join(", ")}; extend Engine in bench/generate.mjs`,
      );
    this.person = new Map(office.people.map((x) => [x.id, x]));
  }
  personsWithRole(roles) {
    return this.office.people.filter((x) => x.roles.some((r) => roles.includes(r)));
  }
  stepIndex(id) {
    return this.wf.steps.findIndex((s) => s.id === id);
  }
  holdersOf(rec, step) {
    const a = step.actor;
    const signed = new Set(rec.signatures.map((s) => s.for ?? s.by));
    if (a.roles) {
      if (a.all) {
        const open = a.roles.filter((r) => !signed.has(r));
        return open.flatMap((r) => this.personsWithRole([r]).map((x) => x.id));
      }
      return this.personsWithRole(a.roles).map((x) => x.id);
    }
    if (a.routed && rec.routed.length === 0 && a.fallback_roles)
      return this.personsWithRole(a.fallback_roles).map((x) => x.id);
    return a.all ? rec.routed.filter((x) => !signed.has(x)) : [...rec.routed];
  }
  partFor(rec, step, actorId) {
    const a = step.actor;
    const who = this.person.get(actorId);
    if (!who) throw new Error(`unknown person ${actorId}`);
    if (a.roles) {
      if (a.all)
        return a.roles.find((r) => who.roles.includes(r) && !rec.signatures.some((s) => s.for === r));
      return who.roles.some((r) => a.roles.includes(r)) ? who.id : undefined;
    }
    const signed = new Set(rec.signatures.map((s) => s.for ?? s.by));
    const open = a.all ? rec.routed.filter((x) => !signed.has(x)) : rec.routed;
    return open.find((x) => x === who.id) ?? open.find((x) => x === who.unit);
  }
  complete(rec, step) {
    if (!step.actor.all) return rec.signatures.length > 0;
    return this.holdersOf(rec, step).length === 0;
  }
  due(rec, step) {
    const start = officeDate(Date.parse(rec.step_started ?? rec.created));
    const recordStart = officeDate(Date.parse(rec.round_started ?? rec.created));
    const cond = (c) => {
      const v = rec.fields[c.field];
      if (c.in) return c.in.includes(v);
      if (c.equals !== undefined) return v === c.equals;
      return v !== undefined && v !== null && v !== false && v !== "";
    };
    const override = (this.wf.overrides ?? []).find((o) => cond(o.when));
    const rule = override?.limit ?? step.limit;
    if (!rule) return null;
    if (rule.same_day) return start;
    if (rule.working_days !== undefined)
      return this.cal.addWorkingDays(rule.from === "record" ? recordStart : start, rule.working_days);
    throw new Error(`limit rule not supported by the generator: ${JSON.stringify(rule)}`);
  }
  refresh(rec) {
    const step = this.wf.steps[this.stepIndex(rec.step)];
    if (!step || rec.status === "closed") {
      rec.holders = [];
      rec.due = null;
      return;
    }
    rec.deadline = null;
    rec.due = this.due(rec, step);
    rec.holders = this.holdersOf(rec, step);
  }
  enter(rec, index, ms) {
    rec.routed = [];
    rec.signatures = [];
    if (index >= this.wf.steps.length) {
      rec.status = "closed";
      rec.step = null;
      rec.step_started = null;
      rec.holders = [];
      rec.due = null;
      return;
    }
    rec.status = "open";
    rec.step = this.wf.steps[index].id;
    rec.step_started = formatInstant(ms);
    this.refresh(rec);
  }
  create(id, title, fields, a) {
    const rec = {
      id,
      kind: this.wf.kind,
      title,
      status: "open",
      step: null,
      holders: [],
      due: null,
      deadline: null,
      created: formatInstant(a.t),
      fields,
      step_started: null,
      routed: [],
      signatures: [],
      history: [],
    };
    this.enter(rec, 0, a.t);
    const ev = {
      action: this.wf.create_action,
      at: formatInstant(a.t),
      actor: a.actor,
      recorded_by: a.recorder,
    };
    if (rec.step) ev.step = rec.step;
    rec.history.push(ev);
    return { rec, ev };
  }
  apply(rec, a) {
    const idx = this.stepIndex(rec.step);
    const step = this.wf.steps[idx];
    if (!step || rec.status !== "open") throw new Error(`${rec.id}: ${a.op} on a closed record`);
    const at = formatInstant(a.t);
    const base = {
      action: a.op === "file" ? "file" : a.op,
      at,
      actor: a.actor,
      recorded_by: a.recorder,
      step: step.id,
    };
    if (a.op === "route") {
      rec.routed = [...new Set(a.to)];
      rec.signatures = rec.signatures.filter((s) => rec.routed.includes(s.for ?? s.by));
      const ev = { ...base, to: rec.routed };
      const ch = this.routeSets(rec, step);
      if (ch) ev.changes = ch;
      rec.history.push(ev);
      this.refresh(rec);
      return ev;
    }
    if (a.op === "skip") {
      if (!step.optional) throw new Error(`${rec.id}: skip of a required step ${step.id}`);
      const ev = { ...base, reason: a.reason };
      rec.history.push(ev);
      this.enter(rec, idx + 1, a.t);
      return ev;
    }
    // sign / file
    const part = this.partFor(rec, step, a.actor);
    if (part === undefined) throw new Error(`${rec.id}: ${a.actor} may not sign step ${step.id}`);
    const ev = { ...base, action: a.op === "file" ? "file" : "sign", decision: "approve" };
    if (a.opinion) ev.opinion = a.opinion;
    const sig = { by: a.actor, at };
    if (step.actor.all && part !== a.actor) sig.for = part;
    if (a.opinion) sig.opinion = a.opinion;
    rec.signatures.push(sig);
    rec.history.push(ev);
    if (this.complete(rec, step)) {
      if (rec.due) ev.due = rec.due;
      this.enter(rec, idx + 1, a.t);
      if (a.to?.length) {
        const next = this.wf.steps[idx + 1];
        if (!next?.actor.routed) throw new Error(`${rec.id}: --to on a step not followed by a routed one`);
        rec.routed = [...new Set(a.to)];
        ev.to = rec.routed;
        const ch = this.routeSets(rec, next);
        if (ch) ev.changes = { ...(ev.changes ?? {}), ...ch };
        this.refresh(rec);
      }
    } else {
      if (a.to?.length) throw new Error(`${rec.id}: --to before the step is complete`);
      this.refresh(rec);
    }
    if (a.op === "file") {
      if (rec.status !== "closed") throw new Error(`${rec.id}: file did not close it`);
      rec.archive = { number: a.archive.number, retention: a.archive.retention, filed_at: at };
      ev.changes = { ...(ev.changes ?? {}), archive: a.archive.number };
    }
    return ev;
  }
  routeSets(rec, step) {
    if (!step.route_sets) return undefined;
    const unit = rec.routed.find((t) => this.office.units.some((u) => u.id === t));
    if (!unit || rec.fields[step.route_sets] === unit) return undefined;
    rec.fields[step.route_sets] = unit;
    return { [step.route_sets]: unit };
  }
}

const EVENT_ORDER = [
  "action",
  "at",
  "actor",
  "recorded_by",
  "step",
  "decision",
  "opinion",
  "to",
  "reason",
  "note",
  "until",
  "approved_by",
  "caller_informed",
  "due",
  "changes",
];

const orderedEvent = (e) => {
  const o = {};
  for (const k of EVENT_ORDER) if (e[k] !== undefined) o[k] = e[k];
  return o;
};

/** The record with keys in the tool's order (src/core/record.ts orderedRecord). */
function ordered(rec, wf, withHistory = true) {
  const fields = {};
  for (const f of wf.fields) if (rec.fields[f.id] !== undefined) fields[f.id] = rec.fields[f.id];
  const out = {
    id: rec.id,
    kind: rec.kind,
    title: rec.title,
    status: rec.status,
    step: rec.step,
    holders: rec.holders,
    due: rec.due,
    deadline: rec.deadline,
    created: rec.created,
    fields,
    step_started: rec.step_started,
    routed: rec.routed,
    signatures: rec.signatures,
  };
  if (rec.archive) out.archive = rec.archive;
  if (withHistory) out.history = rec.history.map(orderedEvent);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Incoming documents (收文): receive → propose → instruct → undertake → feedback → circulate → file
// ---------------------------------------------------------------------------------------------
function planIncoming(ctx, rng, createdMs, year) {
  const { cal } = ctx;
  const ids = (role) => C.PEOPLE.filter((x) => x.roles.includes(role)).map((x) => x.id);
  const clerks = ids("clerk");
  const officeStaff = ids("office");
  const secretary = ids("party-secretary")[0];
  const readers = [...ids("director"), ...ids("resident-secretary"), ...ids("leader")];
  const headOf = (unit) => C.PEOPLE.find((x) => x.unit === unit && x.roles.includes("unit-head"))?.id;
  const unitName = (u) => C.UNITS.find((x) => x.id === u).name;

  const [topic, topicUnits] = pick(rng, C.TOPICS);
  const [pattern, type] = pick(rng, C.TITLES);
  const [issuer, abbr] = pick(rng, C.ISSUERS);
  const title = pattern
    .replace("{t}", topic)
    .replace("{y}", String(year))
    .replace("{d}", pick(rng, C.DOCS))
    .replace("{i}", issuer);
  const r = rng();
  const urgency = r < 0.87 ? "normal" : r < 0.98 ? "urgent" : "extra-urgent";
  const classification = rng() < 0.03 ? pick(rng, ["secret", "confidential", "confidential"]) : "none";
  const egovShare = Math.min(0.85, 0.25 + 0.07 * (year - 2017));
  const fields = {
    from: issuer,
    doc_number: `${abbr}〔${year}〕${between(rng, 1, 180)}号`,
    type,
    pages: between(rng, 1, 24),
  };
  if (rng() < 0.6) fields.copies = between(rng, 1, 3);
  fields.urgency = urgency;
  fields.classification = classification;
  if (classification !== "none") fields.secrecy_term = pick(rng, ["1年", "5年", "10年"]);
  fields.channel = rng() < egovShare ? "egov" : rng() < 0.95 ? "paper" : "fax";
  if (classification === "none" && rng() < 0.3)
    fields.summary = `${issuer}就${topic}工作提出要求，请街道按时落实并反馈。`;
  if (classification === "none" && rng() < 0.15)
    fields.attachments = [...new Set([pick(rng, C.ATTACHMENTS), pick(rng, C.ATTACHMENTS)])];

  const fast = urgency !== "normal";
  const actions = [];
  let t = createdMs;
  const clerk = pick(rng, clerks);
  actions.push({ op: "create", t, actor: clerk, recorder: clerk });

  const units = [...topicUnits];
  if (units.length > 1 && rng() < 0.4) units.length = 1;
  const uText = units.map(unitName).join("、");
  const opinion = (k) => pick(rng, C.OPINIONS[k]).replace("{u}", uText);

  const proposer = pick(rng, officeStaff);
  t = afterWork(cal, rng, t, fast ? between(rng, 5, 40) : between(rng, 15, 300));
  actions.push({ op: "sign", t, actor: proposer, recorder: proposer, opinion: opinion("propose") });

  t = afterWork(cal, rng, t, fast ? between(rng, 10, 90) : between(rng, 30, WORKDAY_MIN * 2));
  const enterer = rng() < 0.8 ? pick(rng, ["yu-kai", "wang-shoujie"]) : secretary;
  actions.push({
    op: "sign",
    t,
    actor: secretary,
    recorder: enterer,
    opinion: opinion("instruct"),
    to: units,
  });

  // Undertaking: 2 working days; about one in twelve is late.
  const late = rng() < 0.08;
  const head = headOf(units[0]);
  t = afterWork(
    cal,
    rng,
    t,
    fast
      ? between(rng, 20, 200)
      : late
        ? between(rng, WORKDAY_MIN * 3, WORKDAY_MIN * 6)
        : between(rng, 60, WORKDAY_MIN * 2 - 30),
  );
  actions.push({
    op: "sign",
    t,
    actor: head,
    recorder: rng() < 0.6 ? head : "yu-kai",
    opinion: opinion("undertake"),
  });

  const fb = pick(rng, officeStaff);
  t = afterWork(cal, rng, t, between(rng, 20, 480));
  const fbOpinion = rng() < 0.8 ? opinion("feedback") : undefined;
  actions.push({ op: "sign", t, actor: fb, recorder: fb, ...(fbOpinion ? { opinion: fbOpinion } : {}) });

  const router = pick(rng, officeStaff);
  t = afterWork(cal, rng, t, between(rng, 5, 90));
  if (rng() < 0.35) {
    const n = between(rng, 1, 3);
    const who = [];
    while (who.length < n) {
      const x = pick(rng, readers);
      if (!who.includes(x)) who.push(x);
    }
    actions.push({ op: "route", t, actor: router, recorder: router, to: who });
    for (const x of who) {
      t = afterWork(cal, rng, t, between(rng, 20, 700));
      actions.push({
        op: "sign",
        t,
        actor: x,
        recorder: rng() < 0.5 ? x : "wang-shoujie",
        opinion: opinion("circulate"),
      });
    }
  } else actions.push({ op: "skip", t, actor: router, recorder: router, reason: pick(rng, C.OPINIONS.skip) });

  const filer = pick(rng, clerks);
  t = afterWork(cal, rng, t, between(rng, 30, WORKDAY_MIN * 3));
  const rr = rng();
  const retention = rr < 0.8 ? "30y" : rr < 0.95 ? "10y" : "permanent";
  actions.push({ op: "file", t, actor: filer, recorder: filer, retention });
  return { title, fields, actions };
}

// ---------------------------------------------------------------------------------------------
// Setup through the bin
// ---------------------------------------------------------------------------------------------
function bin(args, env, cwd) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", OFFICE_DOC_NOW: SETUP_TIME, ...env },
    encoding: "utf8",
  });
  if (r.status !== 0)
    throw new Error(`office-doc ${args.join(" ")} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}
const SETUP_TIME = "2017-01-01T09:00:00+08:00";

function git(dir, args, opts = {}) {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, LC_ALL: "C" },
    ...opts,
  });
}

function setupOffice(dir) {
  const dates = { GIT_AUTHOR_DATE: SETUP_TIME, GIT_COMMITTER_DATE: SETUP_TIME };
  bin(["init", dir, "--name", C.OFFICE_NAME], dates, dirname(dir));
  const first = C.PEOPLE[0];
  const unitAdd = (u, env) => bin(["unit", "add", u.id, "--name", u.name, "--code", u.code], env, dir);
  const personAdd = (x, env) =>
    bin(
      [
        "person",
        "add",
        x.id,
        "--name",
        x.name,
        "--email",
        x.email,
        "--roles",
        x.roles.join(","),
        ...(x.unit ? ["--unit", x.unit] : []),
      ],
      env,
      dir,
    );
  unitAdd(
    C.UNITS.find((u) => u.id === first.unit),
    {},
  );
  personAdd(first, {});
  const as = { OFFICE_DOC_USER: first.id };
  for (const u of C.UNITS) if (u.id !== first.unit) unitAdd(u, as);
  for (const x of C.PEOPLE.slice(1)) personAdd(x, as);
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------
function templateHash() {
  const h = createHash("sha1");
  for (const k of KINDS) h.update(readFileSync(join(ROOT, "templates", "workflows", `${k.kind}.yaml`)));
  h.update(readFileSync(join(ROOT, "templates", "office.yaml")));
  return h.digest("hex").slice(0, 8);
}

export function registryKey(n, open) {
  return `reg-${n}-open${open}-g${GENERATOR_VERSION}-${templateHash()}`;
}

export function defaultOpen(n) {
  return Math.min(5000, Math.round(n * 0.1));
}

class Heap {
  constructor() {
    this.a = [];
  }
  get size() {
    return this.a.length;
  }
  less(x, y) {
    return x.t < y.t || (x.t === y.t && x.seq < y.seq);
  }
  push(x) {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i], a[p])) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop() {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
  peek() {
    return this.a[0];
  }
}

/**
 * Build a registry of `n` records in `dir` (which must not exist). Returns facts about it for the
 * benchmark: head, counts, sample ids by step.
 */
export async function generateRegistry(dir, { n, open: openTarget = defaultOpen(n), log = () => {} }) {
  const t0 = process.hrtime.bigint();
  const lap = (() => {
    let last = t0;
    return (what) => {
      const now = process.hrtime.bigint();
      log(`  ${what}: ${(Number(now - last) / 1e9).toFixed(1)} s`);
      last = now;
    };
  })();
  mkdirSync(dirname(dir), { recursive: true });
  setupOffice(dir);
  lap("init, units and people through the bin");

  const office = jsYaml.load(readFileSync(join(dir, "office.yaml"), "utf8"), { schema: jsYaml.CORE_SCHEMA });
  const cal = new Calendar(dir);
  const ctx = { cal, office };
  const _people = new Map(office.people.map((x) => [x.id, x]));
  const unitCode = new Map(office.units.map((u) => [u.id, u.code]));
  const engines = new Map();
  for (const k of KINDS) {
    const wf = jsYaml.load(readFileSync(join(dir, "workflows", `${k.kind}.yaml`), "utf8"), {
      schema: jsYaml.CORE_SCHEMA,
    });
    engines.set(k.kind, new Engine(office, wf, cal));
  }

  // Creation times: n records spread over the ten years' working days (up to the day before NOW).
  const perYear = YEARS.map((_, i) => Math.floor(n / YEARS.length) + (i < n % YEARS.length ? 1 : 0));
  const recs = []; // { kind, year, seq, createdMs, seed }
  const shareTotal = KINDS.reduce((s, k) => s + k.share, 0);
  YEARS.forEach((year, yi) => {
    const last = year === 2026 ? addDays(officeDate(NOW_MS), -1) : `${year}-12-31`;
    const days = cal.workingDays(`${year}-01-01`, last);
    const rng = mulberry32(year * 7919 + n);
    const times = [];
    for (let k = 0; k < perYear[yi]; k++) {
      const day = days[Math.floor((k * days.length) / perYear[yi])];
      times.push(msOf(day, DAY_START + between(rng, 0, WORKDAY_MIN - 30)) + between(rng, 0, 59) * 1000);
    }
    times.sort((a, b) => a - b);
    const seqOf = new Map();
    for (const t of times) {
      let x = rng() * shareTotal;
      let kind = KINDS[0];
      for (const k of KINDS) {
        if (x < k.share) {
          kind = k;
          break;
        }
        x -= k.share;
      }
      const seq = (seqOf.get(kind.kind) ?? 0) + 1;
      seqOf.set(kind.kind, seq);
      recs.push({
        kind: kind.kind,
        plan: kind.plan,
        year,
        seq,
        createdMs: t,
        seed: (n * 31 + recs.length * 2654435761) >>> 0,
      });
    }
  });

  // Records per kind and year (meta.json: the benchmark picks random ids from it).
  const perYearCount = {};
  for (const r of recs) {
    const key = `${r.kind}/${r.year}`;
    perYearCount[key] = (perYearCount[key] ?? 0) + 1;
  }

  // Which records stay open: those whose procedure reaches past NOW, and enough older ones stuck at
  // some step (most of them from the last year) to make `openTarget`.
  const planOf = (r) => r.plan(ctx, mulberry32(r.seed), r.createdMs, r.year);
  let natural = 0;
  for (const r of recs) {
    const { actions } = planOf(r);
    r.len = actions.length;
    const done = actions.filter((a) => a.t <= NOW_MS - 60_000).length;
    if (done < actions.length) {
      r.cut = done;
      natural++;
    }
  }
  {
    const rng = mulberry32(n + 17);
    const yearAgo = NOW_MS - 365 * 86_400_000;
    const candidates = recs.filter((r) => r.cut === undefined);
    const recent = candidates.filter((r) => r.createdMs >= yearAgo);
    const older = candidates.filter((r) => r.createdMs < yearAgo);
    let want = Math.max(0, openTarget - natural);
    const take = (pool, k) => {
      for (let i = 0; i < k && pool.length; i++) {
        const j = Math.floor(rng() * pool.length);
        const r = pool[j];
        pool[j] = pool[pool.length - 1];
        pool.pop();
        // Stuck at: propose 20%, instruct 20%, undertake 35%, feedback 10%, circulate 10%, file 5%.
        const len = r.len;
        const x = rng();
        r.cut =
          x < 0.2
            ? 1
            : x < 0.4
              ? 2
              : x < 0.75
                ? 3
                : x < 0.85
                  ? 4
                  : x < 0.95
                    ? Math.min(len - 1, 5 + Math.floor(rng() * 2))
                    : len - 1;
      }
    };
    const fromRecent = Math.min(recent.length, Math.round(want * 0.7));
    take(recent, fromRecent);
    want -= fromRecent;
    take(older, want);
  }
  lap(`plan of ${n} records`);

  // Write the pack: replay every action in time order.
  const packDir = join(dir, ".git", "objects", "pack");
  const pack = new PackWriter(packDir);
  const graph = new CommitGraphBuilder();
  const head0 = git(dir, ["rev-parse", "HEAD"]).trim();
  // The setup commits go into the commit-graph too, with their changed paths from git.
  {
    const log = git(dir, [
      "log",
      "--reverse",
      "--format=%x1e%H %T %P %ct",
      "--name-only",
      "--no-renames",
      "-r",
      "--root",
      "HEAD",
    ]);
    const index = new Map();
    for (const block of log.split("\x1e").slice(1)) {
      const [head, ...files] = block.trim().split("\n");
      const [c, t, ...rest] = head.split(" ");
      const time = Number(rest.pop());
      const p = rest[0];
      const i = graph.add(
        Buffer.from(c, "hex"),
        Buffer.from(t, "hex"),
        p ? index.get(p) : -1,
        time,
        bloomFilter(files.filter(Boolean)),
      );
      index.set(c, i);
    }
  }
  // One pass in time order; per history event: the record's new version (a blob, as a delta of
  // its previous version), its bucket folder and year folder (FolderTree: skip-deltas), the small
  // trees above them (kind, records, root: written whole) and the commit.
  const rootEntries = git(dir, ["ls-tree", "HEAD"])
    .trim()
    .split("\n")
    .map((line) => {
      const [meta, name] = line.split("\t");
      const [mode, , oid] = meta.split(" ");
      return { mode: mode.replace(/^0+/, ""), name, oid: Buffer.from(oid, "hex") };
    });
  const root = new SmallTree(rootEntries);
  const recordsTree = new SmallTree();
  const kindTrees = new Map(); // kind -> SmallTree of its year folders
  const yearFolders = new Map(); // "<kind>/<year>" -> { tree: FolderTree of buckets, buckets: Map }
  /** The folders a record's file is in, from its path (lib/layout.mjs). */
  const foldersOf = (kind, id) => {
    const path = recordPath(kind, id);
    const m = /^records\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(path);
    if (!m || m[1] !== kind) throw new Error(`unexpected record path ${path}`);
    const [, , year, bucket, file] = m;
    let kt = kindTrees.get(kind);
    if (!kt) {
      kt = new SmallTree();
      kindTrees.set(kind, kt);
    }
    let yf = yearFolders.get(`${kind}/${year}`);
    if (!yf) {
      yf = { tree: new FolderTree(pack, "40000"), buckets: new Map() };
      yearFolders.set(`${kind}/${year}`, yf);
    }
    let bt = yf.buckets.get(bucket);
    if (!bt) {
      bt = new FolderTree(pack, "100644");
      yf.buckets.set(bucket, bt);
    }
    return { path, kindTree: kt, year, yearTree: yf.tree, bucket, bucketTree: bt, file };
  };
  let parent = Buffer.from(head0, "hex");
  let parentIndex = graph.n - 1;

  const archiveItems = new Map();
  let commits = 0;
  let verified = 0;
  const heap = new Heap();
  let seq = 0;
  let nextCreate = 0;
  const openIds = { propose: [], instruct: [], undertake: [], feedback: [], circulate: [], file: [] };
  let openCount = 0;
  const identity = new Map(office.people.map((x) => [x.id, `${x.name} <${x.email}>`]));
  const commitOne = (live, a) => {
    const eng = engines.get(live.kind);
    let ev;
    if (a.op === "create") {
      const res = eng.create(live.id, live.title, live.fields, a);
      live.rec = res.rec;
      ev = res.ev;
    } else {
      if (a.op === "file") {
        const unit = live.rec.fields.unit;
        const code = unit ? unitCode.get(unit) : undefined;
        const rc = { permanent: "Y", "30y": "D30", "10y": "D10" }[a.retention];
        const series = `${office.fonds}-WS·${live.year}-${rc}${code ? `-${code}` : ""}`;
        const item = (archiveItems.get(series) ?? 0) + 1;
        archiveItems.set(series, item);
        a.archive = { number: `${series}-${String(item).padStart(4, "0")}`, retention: a.retention };
      }
      ev = eng.apply(live.rec, a);
    }
    // The history only grows: its YAML is kept and appended to.
    live.hist = (live.hist ?? "") + emitTopItem(orderedEvent(ev));
    const text = `${emitYaml(ordered(live.rec, eng.wf, false))}history:\n${live.hist}`;
    if (verified < 300 || commits % 20_000 === 0) {
      verifyEmitter(yamlLib, ordered(live.rec, eng.wf), text);
      verified++;
    }
    const body = Buffer.from(text, "utf8");
    const blobId = objectId("blob", body);
    live.blobOffset =
      live.blob === undefined
        ? pack.add("blob", body, blobId)
        : pack.addDelta(blobId, live.blobOffset, textDelta(live.blob, body));
    live.blob = body;

    const f = live.folders;
    const bucketId = f.bucketTree.set(f.file, blobId);
    const yearId = f.yearTree.set(f.bucket, bucketId);
    f.kindTree.set(f.year, "40000", yearId);
    const kindBody = f.kindTree.body();
    const kindId = objectId("tree", kindBody);
    pack.add("tree", kindBody, kindId);
    recordsTree.set(live.kind, "40000", kindId);
    const recordsBody = recordsTree.body();
    const recordsId = objectId("tree", recordsBody);
    pack.add("tree", recordsBody, recordsId);
    root.set("records", "40000", recordsId);
    const rootBody = root.body();
    const rootId = objectId("tree", rootBody);
    pack.add("tree", rootBody, rootId);

    const secs = Math.floor(a.t / 1000);
    const msg =
      `${ev.action} ${live.id}: ${live.title}\n\n` +
      `Office-Doc-Action: ${ev.action}\nOffice-Doc-Record: ${live.id}\n` +
      `Office-Doc-Actor: ${ev.actor}\nOffice-Doc-Recorded-By: ${ev.recorded_by}\n`;
    const commit = Buffer.from(
      `tree ${rootId.toString("hex")}\nparent ${parent.toString("hex")}\n` +
        `author ${identity.get(ev.actor)} ${secs} +0800\ncommitter ${identity.get(ev.recorded_by)} ${secs} +0800\n\n${msg}`,
      "utf8",
    );
    const commitId = objectId("commit", commit);
    pack.add("commit", commit, commitId);
    parentIndex = graph.add(commitId, rootId, parentIndex, secs, bloomFilter([f.path]));
    parent = commitId;
    commits++;
  };

  const startRecord = (r) => {
    const plan = planOf(r);
    const id = recordId(engines.get(r.kind).wf.prefix, r.year, r.seq);
    const actions = r.cut === undefined ? plan.actions : plan.actions.slice(0, r.cut);
    return {
      kind: r.kind,
      year: r.year,
      id,
      folders: foldersOf(r.kind, id),
      title: plan.title,
      fields: plan.fields,
      actions,
      k: 0,
      rec: null,
    };
  };
  const t1 = Date.now();
  for (;;) {
    const top = heap.peek();
    const c = recs[nextCreate];
    if (!top && !c) break;
    if (c && (!top || c.createdMs <= top.t)) {
      const live = startRecord(c);
      recs[nextCreate++] = undefined;
      heap.push({ t: live.actions[0].t, seq: seq++, live });
      continue;
    }
    const { live } = heap.pop();
    commitOne(live, live.actions[live.k]);
    live.k++;
    if (live.k < live.actions.length) heap.push({ t: live.actions[live.k].t, seq: seq++, live });
    else if (live.rec.status === "open") {
      openCount++;
      const list = openIds[live.rec.step];
      if (list && list.length < 2000) list.push(live.id);
    }
    if (commits % 200_000 === 0)
      log(`    ${commits} commits written, ${((Date.now() - t1) / 1000).toFixed(0)} s`);
  }
  let folderTrees = 0;
  let folderVersions = 0;
  for (const yf of yearFolders.values()) {
    folderTrees += 1 + yf.buckets.size;
    folderVersions += yf.tree.version;
    for (const bt of yf.buckets.values()) folderVersions += bt.version;
  }
  lap(
    `${commits} commits written (blobs, ${folderTrees} bucket and year folders in ${folderVersions} versions, trees above them)`,
  );
  const packName = pack.finish();
  const mib = statSync(join(packDir, `pack-${packName}.pack`)).size / 2 ** 20;
  lap(`pack indexed (${pack.count} objects, ${mib.toFixed(0)} MiB)`);

  const head = parent.toString("hex");
  git(dir, ["update-ref", "-m", "bench: generated history", "refs/heads/main", head, head0]);
  mkdirSync(join(dir, ".git", "objects", "info"), { recursive: true });
  graph.write(join(dir, ".git", "objects", "info", "commit-graph"));
  lap("commit-graph with changed-path filters");
  git(dir, ["-c", "checkout.workers=2", "reset", "--hard", "-q", head]);
  lap("work tree checked out (git reset --hard)");

  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    generator: GENERATOR_VERSION,
    n,
    open: openCount,
    commits: commits + Number(git(dir, ["rev-list", "--count", head0]).trim()),
    head,
    now: NOW,
    seconds,
    perYear: perYearCount,
    openIds,
  };
}

/**
 * The cached registry of `n` records, generated when missing (or when `force`). Also puts a registry
 * back to its generated state when a benchmark left commits in it.
 */
export async function ensureRegistry({ n, open = defaultOpen(n), force = false, log = console.error }) {
  const base = join(OUT, "registries", registryKey(n, open));
  const dir = join(base, "registry");
  const metaFile = join(base, "meta.json");
  if (!force && existsSync(metaFile) && existsSync(join(dir, ".git"))) {
    const meta = JSON.parse(readFileSync(metaFile, "utf8"));
    restoreRegistry(dir, meta);
    return { dir, meta, cached: true };
  }
  rmSync(base, { recursive: true, force: true });
  const tmp = `${base}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const minutes = Math.max(1, Math.round((n / 200_000) * 9));
  log(
    `generating a registry of ${n} records (${open} open) in ${base}: about ${minutes} min on 2 cores, once (cached)`,
  );
  const meta = await generateRegistry(join(tmp, "registry"), { n, open, log });
  writeFileSync(join(tmp, "meta.json"), `${JSON.stringify(meta, null, 1)}\n`);
  renameSync(tmp, base);
  // git keeps absolute paths nowhere in a plain repository: renaming the folder is safe.
  return { dir, meta, cached: false };
}

/** Reset a registry to the generated head (after a write benchmark, or a crashed one). */
export function restoreRegistry(dir, meta) {
  const head = git(dir, ["rev-parse", "HEAD"]).trim();
  if (head !== meta.head) git(dir, ["reset", "--hard", "-q", meta.head]);
  const status = git(dir, ["status", "--porcelain", "--untracked-files=normal", "--", "records"]).trim();
  if (status) git(dir, ["clean", "-fdq", "--", "records"]);
}

// ---------------------------------------------------------------------------------------------
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 50000);
  const oi = args.indexOf("--open");
  const open = oi >= 0 ? Number(args[oi + 1]) : defaultOpen(n);
  const oo = args.indexOf("--out");
  const t = Date.now();
  if (oo >= 0) {
    const dir = resolve(args[oo + 1]);
    if (existsSync(dir)) throw new Error(`${dir} exists`);
    const meta = await generateRegistry(dir, { n, open, log: console.error });
    writeFileSync(`${dir}.meta.json`, `${JSON.stringify(meta, null, 1)}\n`);
    console.log(`${dir}: ${meta.commits} commits, ${meta.open} open, ${meta.seconds.toFixed(1)} s`);
  } else {
    const { dir, meta, cached } = await ensureRegistry({ n, open, force: args.includes("--force") });
    console.log(
      `${dir}: ${n} records, ${meta.open} open, ${meta.commits} commits; ` +
        (cached
          ? `cached (generated in ${meta.seconds.toFixed(1)} s)`
          : `generated in ${((Date.now() - t) / 1000).toFixed(1)} s`),
    );
  }
}
