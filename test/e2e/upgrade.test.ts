import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { shippedKinds } from "../../src/cli/commands/upgrade.js";
import { DEFAULT_ROLES } from "../../src/core/model.js";
import { validateWorkflow } from "../../src/core/workflow.js";
import {
  cleanupTempDirs,
  commitCount,
  git,
  gitLog,
  gitStatus,
  json,
  makeTempDir,
  type Registry,
  ROOT,
  registryHandle,
  testEnv,
} from "../helpers.js";

/**
 * Registries in the field outlive the code: the demo registry built by office-doc 0.1 (the last
 * release before workflow format 2; test/fixtures/v1/demo-registry.bundle, made with that release's
 * bin by `office-doc init DIR --demo` at 2026-03-04T09:00+08:00 and one `reply`) keeps working as it
 * is, and `office-doc upgrade` rewrites its workflows to format 2 in one commit, keeping comments.
 */

const NOW = "2026-03-04T09:00:00+08:00";
const KINDS = ["call", "incoming", "outgoing"];

/** A clone of the 0.1 demo registry, as a clerk of that office (刘庆柱). */
function v1Registry(): Registry {
  const sandbox = makeTempDir("office-doc-v1-");
  const dir = join(sandbox, "registry");
  git(
    sandbox,
    ["clone", "-q", join(ROOT, "test", "fixtures", "v1", "demo-registry.bundle"), dir],
    testEnv(sandbox),
  );
  const reg = registryHandle(dir, sandbox);
  const base = reg.env;
  return {
    ...reg,
    env: (o = {}) => base({ user: "liu-qingzhu", now: NOW, ...o }),
    run: (a, o = {}) => reg.run(a, { user: "liu-qingzhu", now: NOW, ...o }),
  };
}

const shipped = (kind: string) =>
  validateWorkflow(
    parse(readFileSync(join(ROOT, "templates", "workflows", `${kind}.yaml`), "utf8")),
    kind,
    DEFAULT_ROLES.map((r) => r.id),
  ).value;

let reg: Registry;
beforeAll(() => {
  reg = v1Registry();
}, 60_000);
afterAll(cleanupTempDirs);

describe("a registry made by office-doc 0.1", () => {
  it("works before any upgrade: listings, labels, the kinds' commands", () => {
    for (const k of KINDS) expect(reg.read(`workflows/${k}.yaml`)).not.toContain("format:");
    const list = reg.run(["--lang", "zh-CN", "list", "--status", "all"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain("【机密】关于做好重要时期维稳工作的通知");
    const show = reg.run(["--lang", "zh-CN", "show", "IN-1"]).stdout;
    expect(show).toContain("文种: 通知");
    expect(reg.run(["--lang", "zh-CN", "show", "CALL-2"]).stdout).toContain("满意度: 不满意");
    expect(reg.run(["call", "--help"]).stdout).toContain("--matter");
    const copy = v1Registry();
    const c = copy.run([
      "call",
      "--caller",
      "王五",
      "--phone",
      "13812345678",
      "--matter",
      "噪音扰民",
      "--json",
    ]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toContain("CALL-2026-0001"); // the earlier call from the same number
    expect(copy.run(["reopen", "CALL-2", "--reason", "来电人不满意"]).code).toBe(0);
    expect(copy.run(["check"]).code).toBe(0);
  });

  it("upgrade --dry-run names what would change and changes nothing", () => {
    const n = commitCount(reg.dir);
    const r = reg.run(["upgrade", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    // 0.1 had three kinds: the kinds shipped since are added, with the office.yaml keys they need.
    const added = shippedKinds().filter((k) => !KINDS.includes(k));
    expect(added).toContain("indicator");
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual(
      [
        "office.yaml",
        "workflows/call.yaml",
        "workflows/incoming.yaml",
        "workflows/outgoing.yaml",
        "workflows/workflow.schema.json",
        ...added.map((k) => `workflows/${k}.yaml`),
        ...added.flatMap((k) =>
          ["md", "html"]
            .filter((x) => existsSync(join(ROOT, "templates", "forms", `${k}.${x}`)))
            .map((x) => `forms/${k}.${x}`),
        ),
      ].sort(),
    );
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("upgrade rewrites the workflows to format 2 in one commit, keeping comments; again, it does nothing", () => {
    const n = commitCount(reg.dir);
    const before = Object.fromEntries(KINDS.map((k) => [k, reg.read(`workflows/${k}.yaml`)]));
    // Upgrading changes the workflows: the office's administrator's (issue 18), the head of the office.
    const r = reg.run(["upgrade"], { user: "yu-kai" });
    expect(r.code, r.stderr).toBe(0);
    expect(commitCount(reg.dir)).toBe(n + 1);
    expect(gitLog(reg.dir)[0]?.trailers["Office-Doc-Action"]).toBe("upgrade");
    expect(gitStatus(reg.dir)).toBe("");
    for (const k of KINDS) {
      const text = reg.read(`workflows/${k}.yaml`);
      expect(text).toMatch(/^format: 2$/m);
      // Every comment line of the office's file is still there.
      for (const line of (before[k] as string).split("\n").filter((l) => l.trim().startsWith("#")))
        expect(text).toContain(line.trim());
      // The file now says what office-doc read from it before (its format-1 file upgraded in memory),
      // in the words office-doc ships: the same labels, roles, options and help texts.
      const roles = DEFAULT_ROLES.map((x) => x.id);
      const v = validateWorkflow(parse(text), k, roles);
      expect(v.problems.filter((p) => !p.warning)).toEqual([]);
      expect(v.value).toEqual(validateWorkflow(parse(before[k] as string), k, roles).value);
      const ship = shipped(k);
      expect(v.value?.fields).toEqual(ship?.fields);
      expect(v.value?.title).toEqual(ship?.title);
      expect(v.value?.steps.map((st) => [st.id, st.label, st.help, st.sets])).toEqual(
        ship?.steps.map((st) => [st.id, st.label, st.help, st.sets]),
      );
    }
    expect(reg.read("workflows/workflow.schema.json")).toBe(
      readFileSync(join(ROOT, "templates", "workflows", "workflow.schema.json"), "utf8"),
    );
    const again = reg.run(["upgrade"], { user: "yu-kai" });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("");
    expect(commitCount(reg.dir)).toBe(n + 1);
  });

  it("the upgrade brought the kinds shipped since 0.1 and the office.yaml keys they need, with their comments", () => {
    for (const k of shippedKinds().filter((x) => !KINDS.includes(x)))
      expect(reg.read(`workflows/${k}.yaml`)).toBe(
        readFileSync(join(ROOT, "templates", "workflows", `${k}.yaml`), "utf8"),
      );
    const office = reg.read("office.yaml");
    expect(office).toMatch(/^indicators: \[\]$/m);
    expect(office).toContain("# The main economic indicators (主要经济指标, seed §5)");
    // What the office had is kept as it was, at the top.
    expect(office.startsWith(git(reg.dir, ["show", "HEAD~1:office.yaml"]))).toBe(true);
    // The new kind's commands are there; without indicators in office.yaml, a submit says so.
    const r = reg.run(["indicator", "submit", "--unit", "economy", "--month", "2026-03", "--value", "x=1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("indicators");
  });

  it("after the upgrade, check passes and the records read as before", () => {
    expect(reg.run(["check"]).code).toBe(0);
    const show = json<{ id: string; fields: Record<string, unknown> }>(reg.run(["show", "OUT-1", "--json"]));
    expect(show.fields.doc_number).toBe("X街办发〔2026〕1号");
    expect(reg.run(["--lang", "zh-CN", "show", "IN-1"]).stdout).toContain("文种: 通知");
    const r = reg.run(["receive", "--title", "关于…的通知", "--from", "区民政局", "--json"]);
    expect(r.code, r.stderr).toBe(0);
  });
});
