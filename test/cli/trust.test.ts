import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BinResult,
  CLERK,
  cleanupTempDirs,
  git,
  gitLog,
  gitStatus,
  LEADER,
  makeTempDir,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  registryHandle,
  SECRETARY,
  STAFF,
  templateRegistry,
  testEnv,
  UNIT,
} from "../helpers.js";

/**
 * Issue 18: who may act for whom, administration, `verify` and signed sign-offs, tried as an insider
 * would. In-process runs (reg.run) on one small office: the template office with a head of the
 * office (`boss`, the administrator) added before anything else.
 */

const BOSS = "boss";
const ok = (r: BinResult, what = "") => {
  expect(r.code, `${what}\n${r.stderr}`).toBe(0);
  return r;
};

let tpl: ReturnType<typeof templateRegistry>;
/** The office with its administrator and one incoming document held by the unit `urban`. */
let base: Registry;
let doc: string;

beforeAll(() => {
  tpl = templateRegistry();
  base = tpl.template;
  // Before the office has an administrator, anyone may set it up: the first head of the office.
  ok(base.run(["person", "add", BOSS, "--name", "包主任", "--roles", "office-head"], { user: null }));
  doc = receive(base, "关于做好冬季安全生产工作的通知");
  ok(base.run(["propose", doc, "--as", OFFICE]));
  ok(base.run(["instruct", doc, "--as", SECRETARY, "--to", UNIT]));
}, 60_000);
afterAll(cleanupTempDirs);

/** A private copy of `base` (the template sandbox copied with the extra commits on top). */
function copy(): Registry {
  const target = makeTempDir("office-doc-trust-");
  cpSync(base.sandbox, target, { recursive: true });
  return registryHandle(join(target, "registry"), target);
}

/** A commit made with git by hand (no office-doc), as `who`, with a message of its own. */
function handCommit(reg: Registry, rel: string, edit: (s: string) => string, message: string, who = "钱芳") {
  const file = join(reg.dir, rel);
  writeFileSync(file, edit(readFileSync(file, "utf8")));
  git(reg.dir, ["add", rel]);
  execFileSync(
    "git",
    ["-c", `user.name=${who}`, "-c", "user.email=x@office-doc.invalid", "commit", "-q", "-F", "-"],
    {
      cwd: reg.dir,
      env: { ...testEnv(reg.sandbox), GIT_AUTHOR_DATE: "2026-02-13T10:00:00+08:00" } as NodeJS.ProcessEnv,
      input: message,
    },
  );
}

describe("recording on behalf (record_for)", () => {
  it("unit staff may not act as a leader, nor claim a leader's approval; a clerk may record both", () => {
    const reg = base;
    const asLeader = reg.run(["--as", SECRETARY, "note", doc, "--text", "已阅"], { user: STAFF });
    expect(asLeader.code).toBe(1);
    expect(asLeader.stderr).toContain("Clerk, Office staff, Head of the office");
    const approved = reg.run(["extend", doc, "--days", "5", "--approved-by", LEADER, "--reason", "需协调"], {
      user: STAFF,
    });
    expect(approved.code).toBe(1);
    expect(approved.stderr).toContain("--approved-by");
    const zh = reg.run(["--lang", "zh-CN", "--as", SECRETARY, "note", doc, "--text", "x"], { user: STAFF });
    expect(zh.stderr).toContain("无权代");
    expect(gitStatus(reg.dir)).toBe("");
  });
});

describe("administration", () => {
  it("once there is a head of the office, only an administrator adds people, units and roles", () => {
    const reg = copy();
    const intruder = ["person", "add", "intruder", "--name", "X", "--roles", "party-secretary"];
    expect(reg.run(intruder, { user: null }).code).toBe(1);
    expect(reg.run(intruder, { user: CLERK }).code).toBe(1);
    expect(reg.run(["unit", "add", "u2", "--name", "U2"], { user: STAFF }).code).toBe(1);
    expect(reg.run(["person", "set", STAFF, "--roles", "leader"], { user: STAFF }).code).toBe(1);
    ok(reg.run(["person", "set", STAFF, "--roles", "staff,clerk"], { user: BOSS }));
    const last = gitLog(reg.dir)[0];
    expect(last?.trailers["Office-Doc-Action"]).toBe("person-set");
    expect(last?.trailers["Office-Doc-Actor"]).toBe(BOSS);
    expect(last?.authorName).toBe("包主任");
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("a closed record refuses notes; an administrator's correction is its own event", () => {
    const reg = copy();
    ok(reg.run(["withdraw", doc, "--reason", "重复登记"], { user: LEADER }));
    const note = reg.run(["note", doc, "--text", "补记"]);
    expect(note.code).toBe(1);
    expect(reg.run(["correct", doc, "--title", "更正", "--reason", "x"], { user: CLERK }).code).toBe(1);
    ok(
      reg.run(
        ["correct", doc, "--title", "关于做好冬季安全生产工作的通知（更正）", "--reason", "标题录入有误"],
        { user: BOSS },
      ),
    );
    const rec = reg.read(recordPath(doc));
    expect(rec).toMatch(/- action: correct\n/);
    expect(rec).toContain("reason: 标题录入有误");
    ok(reg.run(["verify"]));
  });
});

describe("workflow and office edits", () => {
  it("config commit takes an administrator's edit; a self-promotion or a plain git commit does not pass", () => {
    const reg = copy();
    const wf = join(reg.dir, "workflows", "call.yaml");
    writeFileSync(wf, `# 调整：来电办理说明\n${readFileSync(wf, "utf8")}`);
    expect(reg.run(["config", "commit"], { user: STAFF }).code).toBe(1);
    ok(reg.run(["config", "commit", "--reason", "说明"], { user: BOSS }));
    expect(gitLog(reg.dir)[0]?.trailers["Office-Doc-Action"]).toBe("config-commit");
    expect(gitStatus(reg.dir)).toBe("");
    // Unit staff make themselves head of the office in office.yaml: the committed office decides.
    const office = join(reg.dir, "office.yaml");
    const before = readFileSync(office, "utf8");
    writeFileSync(office, before.replace(/(id: qian-fang[^}]*roles: \[ ?)staff/, "$1office-head"));
    expect(readFileSync(office, "utf8")).not.toBe(before);
    const self = reg.run(["config", "commit"], { user: STAFF });
    expect(self.code, self.stderr).toBe(1);
    // The same edit committed with git: verify names the file and the commit.
    handCommit(reg, "office.yaml", (s) => s, "roles");
    const r = reg.run(["verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("office.yaml was changed by a commit that is not an office-doc action");
  });
});

describe("verify", () => {
  it("a clean registry verifies (then incrementally); a due date moved by a plain git commit is reported, and an administrator's fix is accepted", () => {
    const reg = copy();
    expect(ok(reg.run(["verify"])).stderr).toMatch(/verified \d+ commits: no problems/);
    const ref = git(reg.dir, ["rev-parse", "refs/office-doc/verified"]).trim();
    expect(ref).toBe(git(reg.dir, ["rev-parse", "HEAD"]).trim());
    expect(ok(reg.run(["verify"])).stderr).toContain("verified 0 commits");
    handCommit(reg, recordPath(doc), (s) => s.replace(/^due: "?[\d-]+"?$/m, 'due: "2026-12-31"'), "tidy");
    const r = reg.run(["verify"]);
    expect(r.code).toBe(1);
    const bad = gitLog(reg.dir)[0]?.hash.slice(0, 12);
    expect(r.stdout).toContain(`${bad} ${doc}:`);
    expect(r.stdout).toContain("not an office-doc action");
    expect(reg.run(["fix", doc, "--reason", "期限被手工改动"], { user: STAFF }).code).toBe(1);
    ok(reg.run(["fix", doc, "--reason", "期限被手工改动"], { user: BOSS }));
    expect(reg.read(recordPath(doc))).not.toMatch(/^due: "2026-12-31"$/m);
    const after = ok(reg.run(["verify"]));
    expect(after.stdout).toContain("repaired by");
  });

  it("forged trailers with a matching fake event are reported: the replay refuses or differs", () => {
    const reg = copy();
    // Unit staff write an extension approved by a leader, with office-doc's trailers and themselves
    // as author, at the event's time.
    const trailers = (action: string) =>
      `${action} ${doc}\n\nOffice-Doc-Action: ${action}\nOffice-Doc-Record: ${doc}\nOffice-Doc-Actor: ${STAFF}\nOffice-Doc-Recorded-By: ${STAFF}\n`;
    const rel = recordPath(doc);
    const file = join(reg.dir, rel);
    const text = readFileSync(file, "utf8").replace(/^due: "?[\d-]+"?$/m, 'due: "2026-03-31"');
    writeFileSync(
      file,
      `${text}  - action: extend\n    at: "2026-02-13T10:00:00+08:00"\n    actor: ${STAFF}\n    recorded_by: ${STAFF}\n    approved_by: ${LEADER}\n    until: "2026-03-31"\n    reason: 需协调\n`,
    );
    git(reg.dir, ["add", rel]);
    execFileSync(
      "git",
      ["-c", "user.name=钱芳", "-c", `user.email=${STAFF}@office-doc.invalid`, "commit", "-q", "-F", "-"],
      {
        cwd: reg.dir,
        env: {
          ...testEnv(reg.sandbox),
          GIT_AUTHOR_DATE: "2026-02-13T10:00:00+08:00",
          GIT_COMMITTER_DATE: "2026-02-13T10:00:00+08:00",
        } as NodeJS.ProcessEnv,
        input: trailers("extend"),
      },
    );
    const r = reg.run(["verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(doc);
    expect(r.stdout).toMatch(/may not record for|does not allow|differ/);
    // Every line says what the engine refused: no placeholder left unfilled.
    expect(r.stdout).not.toMatch(/\{\w+\}/);
    // An administrator's fix is accepted by verify, and check counts the forged commit as repaired.
    ok(reg.run(["fix", doc, "--reason", "伪造的延期"], { user: BOSS }));
    expect(reg.run(["verify"]).code).toBe(0);
    const check = reg.run(["check"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  });

  it("an earlier history event changed by hand is reported; a verified commit no longer an ancestor of HEAD is a rewrite", () => {
    const reg = copy();
    ok(reg.run(["verify"]));
    handCommit(
      reg,
      recordPath(doc),
      (s) => s.replace(/recorded_by: chang-liqun/, `recorded_by: ${SECRETARY}`),
      `note ${doc}\n\nOffice-Doc-Action: note\nOffice-Doc-Record: ${doc}\n`,
    );
    const r = reg.run(["verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/history event 1 \(receive/);
    // The verified commit (the one before the hand edit) is reset away and replaced.
    git(reg.dir, ["reset", "-q", "--hard", "HEAD~2"]);
    handCommit(reg, "office.yaml", (s) => `${s}\n`, "office");
    const rewritten = reg.run(["verify"]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain("history was rewritten");
  });
});

describe("signed sign-offs", () => {
  it("a signer's commits carry their SSH signature: git verify-commit and verify --signatures accept them; another key or none is reported", () => {
    const reg = copy();
    const key = (name: string) => {
      const file = join(reg.sandbox, name);
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file]);
      return { file, pub: readFileSync(`${file}.pub`, "utf8").trim() };
    };
    const own = key("secretary");
    const other = key("other");
    ok(reg.run(["person", "set", SECRETARY, "--signing-key", own.pub], { user: BOSS }));
    git(reg.dir, ["config", "user.signingkey", own.file]);
    ok(reg.run(["note", doc, "--text", "已阅，同意"], { user: SECRETARY }));
    const allowed = join(reg.sandbox, "allowed_signers");
    writeFileSync(allowed, `${SECRETARY} ${own.pub}\n`);
    const checked = git(reg.dir, [
      "-c",
      `gpg.ssh.allowedSignersFile=${allowed}`,
      "verify-commit",
      "-v",
      "HEAD",
    ]);
    expect(checked).toContain("Office-Doc-Action: note");
    ok(reg.run(["verify", "--signatures"]));
    // Signed with someone else's key, then not signed at all: both reported, naming the commits.
    git(reg.dir, ["config", "user.signingkey", other.file]);
    ok(reg.run(["note", doc, "--text", "伪造"], { user: SECRETARY, now: "2026-02-13T10:00:00+08:00" }));
    const forged = gitLog(reg.dir)[0]?.hash.slice(0, 12);
    git(reg.dir, ["config", "--unset", "user.signingkey"]);
    ok(reg.run(["note", doc, "--text", "未签名"], { user: SECRETARY, now: "2026-02-13T10:01:00+08:00" }));
    const unsigned = gitLog(reg.dir)[0]?.hash.slice(0, 12);
    const r = reg.run(["verify", "--signatures"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${forged} ${doc}: recorded by ${SECRETARY}, but the signature is not made`);
    expect(r.stdout).toContain(
      `${unsigned} ${doc}: recorded by ${SECRETARY}, who has a signing_key, but the commit is not signed`,
    );
    // Without --signatures the history itself is sound.
    ok(reg.run(["verify"]));
  });
});

describe("verify and sync", () => {
  it("a sync that replays verified local commits is not a rewrite; the verified ref is pushed", () => {
    const a = copy();
    const remote = join(a.sandbox, "remote.git");
    git(a.sandbox, ["init", "-q", "--bare", "-b", "main", remote]);
    git(a.dir, ["remote", "add", "origin", remote]);
    ok(a.run(["sync"]));
    git(a.sandbox, ["clone", "-q", remote, join(a.sandbox, "b")]);
    const b = registryHandle(join(a.sandbox, "b"), a.sandbox);
    ok(b.run(["call", "--caller", "王五", "--phone", "13800000000", "--matter", "噪音"]));
    ok(b.run(["verify"]));
    receive(a, "甲机的收文");
    ok(a.run(["sync"]));
    ok(b.run(["sync"]));
    const r = ok(b.run(["verify"]));
    expect(r.stdout).not.toContain("rewritten");
    expect(git(b.dir, ["ls-remote", remote, "refs/office-doc/verified"])).toContain(
      "refs/office-doc/verified",
    );
  });
});

describe("verify and merges", () => {
  it("a merge that takes each file from one side passes; content neither side had is reported", () => {
    const reg = copy();
    const branch = git(reg.dir, ["symbolic-ref", "--short", "HEAD"]).trim();
    const merge = (extra: () => void) => {
      git(reg.dir, ["checkout", "-q", "-b", `side-${Date.now()}`]);
      ok(reg.run(["note", doc, "--text", "甲"], { now: "2026-02-13T10:00:00+08:00" }));
      const side = git(reg.dir, ["symbolic-ref", "--short", "HEAD"]).trim();
      git(reg.dir, ["checkout", "-q", branch]);
      const other = receive(reg, "另一件", { now: "2026-02-13T10:05:00+08:00" });
      git(reg.dir, ["-c", "user.name=m", "-c", "user.email=m@m", "merge", "-q", "--no-commit", side]);
      extra();
      git(reg.dir, ["-c", "user.name=m", "-c", "user.email=m@m", "commit", "-q", "--no-edit", "-a"]);
      return other;
    };
    const other = merge(() => undefined);
    ok(reg.run(["verify"]));
    merge(() => {
      const file = join(reg.dir, recordPath(other));
      writeFileSync(file, readFileSync(file, "utf8").replace(/^due: "?[\d-]+"?$/m, 'due: "2026-12-31"'));
    });
    const r = reg.run(["verify"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${other}: ${recordPath(other)} was changed by a commit that is not an office-doc action`,
    );
  });
});
