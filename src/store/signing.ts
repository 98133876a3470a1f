import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { failed } from "../core/problems.js";
import { git } from "./git.js";
import { childProcess } from "./lazy.js";

/**
 * Commits signed with the signer's own SSH key, the way git signs them with `gpg.format ssh`
 * (gpg-interface.c, sign_buffer_ssh): `ssh-keygen -Y sign -n git -f KEY` over the commit object
 * without its signature, the armored signature in a `gpgsig` header after the committer line. So
 * `git verify-commit` (with `gpg.ssh.allowedSignersFile`) and `git log --show-signature` accept
 * them, and `office-doc verify --signatures` checks them against office.yaml's keys (issue 18).
 * Nothing here runs unless the operator has a `signing_key` in office.yaml: unsigned writes spawn no
 * process for it.
 */

/** Signs a commit payload; resolves to the armored signature (`-----BEGIN SSH SIGNATURE-----…`). */
export type Signer = (payload: string) => Promise<string>;

/** An SSH key as git takes `user.signingkey`: a literal key (`key::ssh-…` or `ssh-…`) or a file's path. */
function literalKey(spec: string): string | undefined {
  if (spec.startsWith("key::")) return spec.slice(5);
  if (spec.startsWith("ssh-") || spec.startsWith("ecdsa-") || spec.startsWith("sk-")) return spec;
  return undefined;
}

/** `~/x` as git expands it in `user.signingkey`. */
function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path.startsWith("~/") && env.HOME ? join(env.HOME, path.slice(2)) : path;
}

/**
 * The signer git's configuration in `dir` gives (`user.signingkey`, `gpg.ssh.program`), or
 * undefined when no signing key is configured. A literal public key signs through the ssh-agent
 * (`-U`), as git does; a path is given to ssh-keygen as it is (a private key file, or a public key
 * whose private half the agent holds). Errors of ssh-keygen are `git.sign-failed` (exit 1).
 */
export async function configuredSigner(dir: string): Promise<Signer | undefined> {
  const r = await git(dir, ["config", "--get", "user.signingkey"], { okCodes: [1] });
  const spec = r.code === 0 ? r.stdout.trim() : "";
  if (!spec) return undefined;
  const prog = await git(dir, ["config", "--get", "gpg.ssh.program"], { okCodes: [1] });
  const program = prog.code === 0 && prog.stdout.trim() ? prog.stdout.trim() : "ssh-keygen";
  return (payload) => sshSign(program, spec, payload);
}

/** Run `program -Y sign -n git` over `payload` (see configuredSigner). */
async function sshSign(program: string, spec: string, payload: string): Promise<string> {
  const literal = literalKey(spec);
  let tmp: string | undefined;
  let keyFile = expandHome(spec, process.env);
  if (literal) {
    tmp = mkdtempSync(join(tmpdir(), "office-doc-key-"));
    keyFile = join(tmp, "key.pub");
    writeFileSync(keyFile, `${literal}\n`, { mode: 0o600 });
  }
  try {
    const args = ["-Y", "sign", "-n", "git", "-f", keyFile, ...(literal ? ["-U"] : [])];
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = childProcess().spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
        const o: Buffer[] = [];
        const e: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => o.push(b));
        child.stderr.on("data", (b: Buffer) => e.push(b));
        child.on("error", reject);
        child.on("close", (code) =>
          resolve({
            code,
            stdout: Buffer.concat(o).toString("utf8"),
            stderr: Buffer.concat(e).toString("utf8"),
          }),
        );
        child.stdin.on("error", () => undefined);
        child.stdin.end(payload);
      },
    ).catch((e: Error) => {
      throw failed("git.sign-failed", { key: spec, message: e.message });
    });
    const sig = out.stdout.trim();
    if (out.code !== 0 || !sig.startsWith("-----BEGIN SSH SIGNATURE-----"))
      throw failed("git.sign-failed", {
        key: spec,
        message: out.stderr.replace(/^Signing data on standard input\s*/m, "").trim() || `exit ${out.code}`,
      });
    return `${sig}\n`;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The commit object text with `signature` in its `gpgsig` header: after the last header line (the
 * committer's), each line of the signature after the first indented by one space, as git writes it
 * (commit.c, add_header_signature).
 */
export function withSignature(commitText: string, signature: string): string {
  const end = commitText.indexOf("\n\n");
  const head = end < 0 ? commitText : commitText.slice(0, end);
  const rest = end < 0 ? "" : commitText.slice(end);
  const lines = signature.replace(/\n$/, "").split("\n");
  return `${head}\ngpgsig ${lines.join("\n ")}${rest}`;
}

/**
 * Split a commit object's text into its payload (the text without the `gpgsig` header) and the
 * signature (undefined when unsigned): what was signed, and by what.
 */
export function splitSignature(commitText: string): { payload: string; signature?: string } {
  const end = commitText.indexOf("\n\n");
  const head = end < 0 ? commitText : commitText.slice(0, end);
  const lines = head.split("\n");
  const at = lines.findIndex((l) => l.startsWith("gpgsig "));
  if (at < 0) return { payload: commitText };
  const sig = [(lines[at] as string).slice(7)];
  let k = at + 1;
  while (k < lines.length && (lines[k] as string).startsWith(" ")) sig.push((lines[k++] as string).slice(1));
  const kept = [...lines.slice(0, at), ...lines.slice(k)];
  return {
    payload: kept.join("\n") + (end < 0 ? "" : commitText.slice(end)),
    signature: `${sig.join("\n")}\n`,
  };
}

/**
 * Check signatures with `ssh-keygen -Y verify` against an allowed-signers file: each item's payload
 * signed by `principal` (a person id) with the key the file gives that principal. Resolves to
 * `good` per item; several run at once (a process each).
 */
export async function verifySignatures(
  allowedSigners: string,
  items: readonly { principal: string; payload: string; signature: string }[],
  program = "ssh-keygen",
): Promise<boolean[]> {
  const dir = mkdtempSync(join(tmpdir(), "office-doc-verify-"));
  try {
    const allowed = join(dir, "allowed_signers");
    writeFileSync(allowed, allowedSigners);
    const results: boolean[] = new Array(items.length).fill(false);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const i = next++;
        const it = items[i] as (typeof items)[number];
        const sigFile = join(dir, `${i}.sig`);
        writeFileSync(sigFile, it.signature);
        const code = await new Promise<number | null>((resolve) => {
          const child = childProcess().spawn(
            program,
            ["-Y", "verify", "-f", allowed, "-I", it.principal, "-n", "git", "-s", sigFile],
            { stdio: ["pipe", "ignore", "ignore"] },
          );
          child.on("error", () => resolve(null));
          child.on("close", (c) => resolve(c));
          child.stdin.on("error", () => undefined);
          child.stdin.end(it.payload);
        });
        results[i] = code === 0;
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, items.length) }, worker));
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An allowed-signers file (ssh-keygen(1) ALLOWED SIGNERS) of the people of an office that have a
 * key: `<person id> namespaces="git" <key>` a line.
 */
export function allowedSignersOf(people: readonly { id: string; signing_key?: string }[]): string {
  return people
    .filter((p) => p.signing_key)
    .map((p) => `${p.id} namespaces="git" ${p.signing_key}\n`)
    .join("");
}
