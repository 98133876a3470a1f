import { describe, expect, it } from "vitest";
import { gitFailure, shownPath, writeFailure } from "../../src/store/failures.js";

/** What git and the file system say, in the messages a clerk reads (see src/ui/i18n). */

const DIR = "/srv/registry";

describe("gitFailure", () => {
  it.each<[string, { code: number; signal?: NodeJS.Signals | null; stderr: string }, string, string]>([
    [
      "a stale index.lock",
      {
        code: 128,
        stderr:
          "fatal: Unable to create '/srv/registry/.git/index.lock': File exists.\n\nAnother git process seems to be running",
      },
      "git.lock-exists",
      ".git/index.lock",
    ],
    [
      "a stale branch lock",
      {
        code: 128,
        stderr:
          "fatal: cannot lock ref 'HEAD': Unable to create '/srv/registry/.git/refs/heads/main.lock': File exists.",
      },
      "git.lock-exists",
      ".git/refs/heads/main.lock",
    ],
    [
      "HEAD moved by someone else",
      { code: 128, stderr: "fatal: cannot lock ref 'HEAD': is at 1111111 but expected 2222222" },
      "git.head-moved",
      ".git",
    ],
    [
      "a full disk writing the index",
      { code: 128, stderr: "fatal: sha1 file '/srv/registry/.git/index.lock' write error. Out of diskspace" },
      "write.disk-full",
      ".git/index.lock",
    ],
    [
      "no space for a ref",
      { code: 128, stderr: "error: unable to write file: No space left on device" },
      "write.disk-full",
      ".git",
    ],
    [
      "read-only objects",
      { code: 128, stderr: "error: insufficient permission ... Permission denied" },
      "write.denied",
      ".git",
    ],
    [
      "a ref that could not be written (the disk not full)",
      {
        code: 128,
        stderr:
          "fatal: cannot update ref 'refs/heads/main': couldn't write '/srv/registry/.git/refs/heads/main.lock'",
      },
      "write.failed",
      ".git/refs/heads/main.lock",
    ],
    ["the file size limit", { code: 1, signal: "SIGXFSZ", stderr: "" }, "write.too-large", ".git"],
    ["killed", { code: 1, signal: "SIGKILL", stderr: "" }, "git.killed", ""],
    ["anything else", { code: 1, stderr: "fatal: bad object" }, "git.failed", ""],
  ])("%s", (_name, r, code, file) => {
    const e = gitFailure(DIR, "git update-index", r);
    expect(e.code).toBe(code);
    expect(e.kind).toBe("failed");
    if (file) expect(e.params.file).toBe(file);
  });
});

describe("writeFailure", () => {
  it.each<[string, string]>([
    ["ENOSPC", "write.disk-full"],
    ["EDQUOT", "write.disk-full"],
    ["EFBIG", "write.too-large"],
    ["EACCES", "write.denied"],
    ["EPERM", "write.denied"],
    ["EROFS", "write.read-only"],
    ["EIO", "write.failed"],
  ])("%s is %s, naming the file inside the registry", (errno, code) => {
    const err = Object.assign(new Error(`${errno}: oops, open '/srv/registry/.git/objects/ab/tmp'`), {
      code: errno,
      path: "/srv/registry/.git/objects/ab/tmp",
    });
    const e = writeFailure(err, DIR, "/srv/registry/records/x.yaml");
    expect(e.code).toBe(code);
    expect(e.params.file).toBe(".git/objects/ab/tmp");
    expect(e.params.code).toBe(errno);
  });

  it("names a path outside the registry in full", () => {
    expect(shownPath(DIR, "/tmp/elsewhere")).toBe("/tmp/elsewhere");
    expect(shownPath(DIR, "records/a.yaml")).toBe("records/a.yaml");
  });
});
