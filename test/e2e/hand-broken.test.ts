/**
 * Registry files broken or edited by hand (hostile tester findings D3-D6, D8): every command that
 * reads them names the file, never skips it silently; a broken registry file is exit 1 (the
 * registry's problem), not exit 2 (the command line's); views agree on which version they show.
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitByHand,
  gitLog,
  json,
  makeTempDir,
  type Registry,
  receive,
  recordPath,
  registryHandle,
  repoState,
  templateRegistry,
} from "../helpers.js";

let tpl: ReturnType<typeof templateRegistry>;
/** Three incoming documents, the second from 区政府办公室 区政办发〔2026〕31号. */
let base: Registry;
let ids: string[] = [];

beforeAll(() => {
  tpl = templateRegistry();
  base = tpl.template;
  ids = [
    receive(base, "关于做好冬季安全生产工作的通知"),
    receive(base, "关于开展消防检查的通知", {
      extra: ["--from", "区政府办公室", "--doc-number", "区政办发〔2026〕31号"],
    }),
    receive(base, "关于防汛的通知"),
  ];
}, 60_000);
afterAll(cleanupTempDirs);

/** A copy of the base registry (with its three documents): the whole sandbox, as templateRegistry copies. */
function copyOfBase(): Registry {
  const target = makeTempDir("office-doc-broken-");
  cpSync(base.sandbox, target, { recursive: true });
  return registryHandle(join(target, "registry"), target);
}

/** Break record `id`'s file (no longer YAML) and commit that by hand. */
function breakRecord(reg: Registry, id: string): string {
  const rel = recordPath(id);
  commitByHand(reg, { [rel]: `${reg.read(rel)}title: [unclosed\n` });
  return rel;
}

describe("a record file broken by hand (D5)", () => {
  it("report register exits 1 naming the file and line; log still lists the commits of that file", () => {
    const reg = copyOfBase();
    const rel = breakRecord(reg, ids[1] as string);
    const before = repoState(reg.dir);
    const r = reg.run(["report", "register", "--kind", "incoming"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${rel}:\\d+: invalid YAML`));
    const log = reg.run(["log", ids[1] as string, "--json"]);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stderr).toMatch(new RegExp(`warning: ${rel}:\\d+: the record cannot be read`));
    const commits = json<{ commit: string; action: string }[]>(log);
    const touched = gitLog(reg.dir, rel);
    expect(commits.map((c) => c.commit).sort()).toEqual(touched.map((c) => c.hash.slice(0, 10)).sort());
    expect(commits.map((c) => c.action).sort()).toEqual(["(git)", "receive"]);
    expect(repoState(reg.dir)).toEqual(before);
  });
});
