import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
  git,
  gitLog,
  gitStatus,
  json,
  makeTempDir,
  NOW,
  PEOPLE,
  type Registry,
  runBin,
  templateRegistry,
  testEnv,
} from "../helpers.js";

afterAll(cleanupTempDirs);

describe("init", () => {
  let sandbox = "";
  let dir = "";
  let first: ReturnType<typeof runBin>;

  beforeAll(() => {
    sandbox = makeTempDir();
    dir = join(sandbox, "registry");
    first = runBin(["init", dir], { env: testEnv(sandbox, { OFFICE_DOC_NOW: NOW }) });
  });

  it("exits 0 and creates office.yaml, workflows/, calendar/ and .gitignore", () => {
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(dir, "office.yaml"))).toBe(true);
    expect(existsSync(join(dir, ".git"))).toBe(true);
    const workflows = readdirSync(join(dir, "workflows"));
    expect(workflows).toContain("incoming.yaml");
    // The workflows, and their JSON Schema (for editors and `check`).
    expect(workflows.every((f) => f.endsWith(".yaml") || f === "workflow.schema.json")).toBe(true);
    expect(workflows).toContain("workflow.schema.json");
    expect(readFileSync(join(dir, ".gitignore"), "utf8").split("\n")).toContain(".office-doc/");
  });

  it("ships a calendar for every year from 2004 to 2026", () => {
    const years = readdirSync(join(dir, "calendar"))
      .filter((f) => /^\d{4}\.yaml$/.test(f))
      .map((f) => Number(f.slice(0, 4)))
      .sort((a, b) => a - b);
    expect(years[0]).toBe(2004);
    for (let y = 2004; y <= 2026; y++) expect(years).toContain(y);
    // No gaps.
    expect(years).toEqual(Array.from({ length: years.length }, (_, i) => 2004 + i));
  });

  it("makes exactly one commit holding every file it wrote, and leaves the tree clean", () => {
    const log = gitLog(dir);
    expect(log).toHaveLength(1);
    expect(log[0]?.trailers["Office-Doc-Action"]).toBe("init");
    expect(gitStatus(dir)).toBe("");
    const files = git(dir, ["ls-tree", "-r", "--name-only", "HEAD"]).trim().split("\n");
    expect(files).toContain("office.yaml");
    expect(files).toContain(".gitignore");
    expect(files).toContain("workflows/incoming.yaml");
    expect(files).toContain("calendar/2026.yaml");
    expect(files.some((f) => f.startsWith(".office-doc/"))).toBe(false);
  });

  it("refuses a second init of the same folder: exit 1, no commit, nothing changed", () => {
    const office = readFileSync(join(dir, "office.yaml"), "utf8");
    const r = runBin(["init", dir], { env: testEnv(sandbox, { OFFICE_DOC_NOW: NOW }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(dir);
    expect(commitCount(dir)).toBe(1);
    expect(gitStatus(dir)).toBe("");
    expect(readFileSync(join(dir, "office.yaml"), "utf8")).toBe(office);
  });

  it("--name sets the office's name", () => {
    const sb = makeTempDir();
    const d = join(sb, "reg");
    const r = runBin(["init", d, "--name", "X街道办事处"], { env: testEnv(sb, { OFFICE_DOC_NOW: NOW }) });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(d, "office.yaml"), "utf8")).toMatch(/^name: X街道办事处$/m);
  });

  it("passes check right away (warnings aside)", () => {
    const r = runBin(["check"], {
      env: testEnv(sandbox, { OFFICE_DOC_NOW: NOW, OFFICE_DOC_REGISTRY: dir }),
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe("person add and unit add", () => {
  let tpl: { template: Registry; copy(): Registry };
  let reg: Registry;

  beforeAll(() => {
    tpl = templateRegistry();
    reg = tpl.copy();
  }, 60_000);

  it("the office set up by the helper is all there, one commit per addition", () => {
    const r = reg.run(["person", "list", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const people = json<{ id: string; roles: string[]; unit?: string }[]>(r);
    expect(people.map((p) => p.id).sort()).toEqual(PEOPLE.map((p) => p.id).sort());
    expect(people.find((p) => p.id === "zhao-lei")).toMatchObject({ roles: ["unit-head"], unit: "urban" });
    // init + unit add + one commit per person
    expect(commitCount(reg.dir)).toBe(2 + PEOPLE.length);
    const subjects = gitLog(reg.dir).map((e) => e.subject);
    expect(subjects).toContain("unit add urban: 城市管理科");
    expect(subjects[0]).toMatch(/^person add qian-fang: /);
    expect(gitStatus(reg.dir)).toBe("");
  });

  function refusedUnchanged(args: string[], code: number): ReturnType<Registry["run"]> {
    const office = reg.read("office.yaml");
    const n = commitCount(reg.dir);
    const r = reg.run(args);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr.trim()).not.toBe("");
    expect(commitCount(reg.dir)).toBe(n);
    expect(git(reg.dir, ["status", "--porcelain"])).toBe("");
    expect(reg.read("office.yaml")).toBe(office);
    return r;
  }

  it("a bad id (Bad_Id) exits 2 and changes nothing", () => {
    const r = refusedUnchanged(["person", "add", "Bad_Id", "--name", "坏"], 2);
    expect(r.stderr).toContain("Bad_Id");
  });

  it("an unknown role exits 2 and changes nothing", () => {
    const r = refusedUnchanged(["person", "add", "new-person", "--name", "新人", "--roles", "emperor"], 2);
    expect(r.stderr).toContain("emperor");
  });

  it("a duplicate id exits 2 and changes nothing", () => {
    const r = refusedUnchanged(["person", "add", "zhou-qiang", "--name", "周强二"], 2);
    expect(r.stderr).toContain("zhou-qiang");
    // A person may not take a unit's id either.
    refusedUnchanged(["person", "add", "urban", "--name", "城管"], 2);
  });

  it("an unknown unit, or no --name, exits 2 and changes nothing", () => {
    refusedUnchanged(["person", "add", "new-person", "--name", "新人", "--unit", "nowhere"], 2);
    const r = refusedUnchanged(["person", "add", "new-person"], 2);
    expect(r.stderr).toContain("--name");
  });

  it("unit add refuses a bad or duplicate id with exit 2", () => {
    refusedUnchanged(["unit", "add", "Urban_2", "--name", "x"], 2);
    refusedUnchanged(["unit", "add", "urban", "--name", "城市管理科"], 2);
  });

  it("a valid person add commits office.yaml once", () => {
    const n = commitCount(reg.dir);
    const r = reg.run(["person", "add", "zhang-wei", "--name", "张伟", "--roles", "director"]);
    expect(r.code, r.stderr).toBe(0);
    expect(commitCount(reg.dir)).toBe(n + 1);
    const [last] = gitLog(reg.dir);
    expect(last?.subject).toBe("person add zhang-wei: 张伟");
    expect(last?.trailers["Office-Doc-Action"]).toBe("person-add");
    expect(git(reg.dir, ["show", "--name-only", "--format=", "HEAD"]).trim()).toBe("office.yaml");
    expect(reg.read("office.yaml")).toContain("zhang-wei");
    expect(gitStatus(reg.dir)).toBe("");
  });
});
