import { statfsSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { failed, OfficeError } from "../core/problems.js";
import type { MessageKey } from "../ui/i18n/keys.js";

/**
 * Failures of a write, in words a clerk can act on: which file, and why (disk full, file size limit,
 * permission, a lock left by git). Everything that fails inside a commit goes through here, so that
 * it ends in one error (exit 1) rather than a stack trace.
 */

/** How a path is named in a message: relative to the registry when inside it. */
export function shownPath(dir: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(dir, file);
  return rel === "" || rel.startsWith("..") ? file : rel;
}

const ERRNO_KEYS: Record<string, MessageKey> = {
  ENOSPC: "write.disk-full",
  EDQUOT: "write.disk-full",
  EFBIG: "write.too-large",
  EACCES: "write.denied",
  EPERM: "write.denied",
  EROFS: "write.read-only",
};

/** A file system error met while writing `file` (absolute or relative to `dir`). */
export function writeFailure(e: unknown, dir: string, file: string): OfficeError {
  if (e instanceof OfficeError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? "";
  const key = ERRNO_KEYS[code] ?? "write.failed";
  return failed(key, {
    file: shownPath(dir, err?.path ?? file),
    code: code || "?",
    message: (err?.message ?? String(e)).split("\n")[0] ?? "",
  });
}

/** What git's stderr says, in one of our messages when we know it. */
const GIT_STDERR: [RegExp, (m: RegExpExecArray) => { key: MessageKey; file?: string; code?: string }][] = [
  [/Unable to create '([^']+\.lock)': File exists/, (m) => ({ key: "git.lock-exists", file: m[1] })],
  [/cannot lock ref '[^']+': is at [0-9a-f]+ but expected/, () => ({ key: "git.head-moved" })],
  [/cannot lock ref '[^']+': reference already exists/, () => ({ key: "git.head-moved" })],
  [/No space left on device|Out of diskspace/, () => ({ key: "write.disk-full", code: "ENOSPC" })],
  [/Disk quota exceeded/, () => ({ key: "write.disk-full", code: "EDQUOT" })],
  [/File too large/, () => ({ key: "write.too-large", code: "EFBIG" })],
  [/Read-only file system/, () => ({ key: "write.read-only", code: "EROFS" })],
  [/Permission denied/, () => ({ key: "write.denied", code: "EACCES" })],
  // update-ref on a full disk names the file and not the cause: see diskFull.
  [/couldn't write '([^']+)'/, (m) => ({ key: "write.failed", file: m[1] })],
];

/** Is the disk holding `dir` (all but) full? git does not always say so (update-ref does not). */
function diskFull(dir: string): boolean {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

/**
 * A git command that failed or was killed, as an error naming the cause; `file` is named when git's
 * message names none (a full disk while writing git's index).
 */
export function gitFailure(
  dir: string,
  command: string,
  r: { code: number; signal?: NodeJS.Signals | null; stderr: string },
  file = ".git",
): OfficeError {
  // Past `ulimit -f` the kernel stops git with SIGXFSZ: the limit, not a kill, is the cause.
  if (r.signal === "SIGXFSZ") return failed("write.too-large", { command, file, code: "EFBIG", message: "" });
  if (r.signal) return failed("git.killed", { command, signal: r.signal });
  for (const [re, make] of GIT_STDERR) {
    const m = re.exec(r.stderr);
    if (!m) continue;
    const found = make(m);
    const named = found.file ?? /'(\/[^']+)'/.exec(r.stderr)?.[1];
    if (found.key === "write.failed" && diskFull(dir)) {
      found.key = "write.disk-full";
      found.code = "ENOSPC";
    }
    return failed(found.key, {
      command,
      file: named ? shownPath(dir, named) : file,
      code: found.code ?? "",
      message: firstLine(r.stderr),
    });
  }
  return failed("git.failed", { command, message: r.stderr || `exit code ${r.code}` });
}

function firstLine(s: string): string {
  return (s.split("\n").find((l) => l.trim() !== "") ?? "").replace(/^(fatal|error): /, "");
}
