// Sharing through a git remote (issue 17): a registration whose id is allocated against a local
// bare remote (fetch, allocate, commit, push), and `sync` taking 1,000 commits another clerk pushed
// (fetch, fast-forward, the index and log lists following from the diff). The bare remote is a
// `git clone --bare` of the bench registry (objects hard-linked: seconds even at 200k records); the
// 1,000 commits are notes on open records written straight into it with `git fast-import`, as
// office-doc would commit them (one record file each, the office-doc trailers).

import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BIN, OUT, restoreRegistry } from "./generate.mjs";
import { recordPath } from "./lib/layout.mjs";
import { timeRuns } from "./lib/measure.mjs";

const REMOTE_NAME = "bench-remote";

function git(dir, args, input) {
  const r = spawnSync("git", args, {
    cwd: dir,
    input,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, LC_ALL: "C" },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The files of `paths` at `commit`, read with one `git cat-file --batch`. */
function readBlobs(dir, commit, paths) {
  const out = spawnSync("git", ["cat-file", "--batch"], {
    cwd: dir,
    input: paths.map((p) => `${commit}:${p}\n`).join(""),
    maxBuffer: 1 << 30,
  }).stdout;
  const texts = [];
  let at = 0;
  for (let i = 0; i < paths.length; i++) {
    const nl = out.indexOf(10, at);
    const size = Number(out.toString("latin1", at, nl).split(" ")[2]);
    texts.push(out.toString("utf8", nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return texts;
}

/**
 * `count` commits on top of `base` in the bare repository `remote` (branch `branch`): each appends a
 * note to one open record's history (history is a record file's last key), committed as office-doc
 * commits a note.
 */
function pushNotes(remote, base, branch, ids, count) {
  const chosen = ids.slice(0, count);
  const paths = chosen.map((id) => recordPath("incoming", id));
  const texts = readBlobs(remote, base, paths);
  const actor = "wang-shoujie";
  const when = Date.parse("2026-11-27T09:10:00+08:00") / 1000;
  const parts = [];
  chosen.forEach((id, i) => {
    const step = /^step: (.*)$/m.exec(texts[i])?.[1] ?? "null";
    const content = Buffer.from(
      `${texts[i].replace(/\n*$/, "\n")}  - action: note\n    at: "2026-11-27T09:10:00+08:00"\n    actor: ${actor}\n` +
        `    recorded_by: ${actor}\n    step: ${step}\n    note: 基准测试备注 ${i}\n`,
    );
    const message = Buffer.from(
      `note ${id}: 基准测试\n\nOffice-Doc-Action: note\nOffice-Doc-Record: ${id}\nOffice-Doc-Actor: ${actor}\nOffice-Doc-Recorded-By: ${actor}\n`,
    );
    const ident = `王守杰 <${actor}@bench.example> ${when + i} +0800`;
    parts.push(
      Buffer.from(
        `commit refs/heads/${branch}\nauthor ${ident}\ncommitter ${ident}\ndata ${message.length}\n`,
      ),
      message,
      Buffer.from(`${i === 0 ? `from ${base}\n` : ""}M 100644 inline ${paths[i]}\ndata ${content.length}\n`),
      content,
      Buffer.from("\n"),
    );
  });
  const r = spawnSync("git", ["fast-import", "--quiet", "--force"], {
    cwd: remote,
    input: Buffer.concat(parts),
  });
  if (r.status !== 0) throw new Error(`git fast-import: ${r.stderr}`);
  return git(remote, ["rev-parse", `refs/heads/${branch}`]).trim();
}

/**
 * The two sharing figures for the registry `dir` (see above): `receive (remote)` and
 * `sync (1,000 remote commits)`, medians of `runs` runs after a warm-up. The registry, its index
 * files (`saveIndex`/`restoreIndex`) and its git config are put back afterwards.
 */
export function benchSharing({ dir, meta, env, runs, node, log, restoreIndex, commits = 1000 }) {
  const remote = join(OUT, "sharing-remote.git");
  rmSync(remote, { recursive: true, force: true });
  const branch = git(dir, ["symbolic-ref", "--short", "HEAD"]).trim();
  mkdirSync(OUT, { recursive: true });
  git(OUT, ["clone", "--quiet", "--bare", dir, remote]);
  git(dir, ["remote", "add", REMOTE_NAME, remote]);
  git(dir, ["config", "--local", "office-doc.remote", REMOTE_NAME]);
  const results = [];
  try {
    const receive = timeRuns(
      node,
      (i) => [BIN, "receive", "--title", `关于第${i + 1}批共享登记基准测试的通知`, "--from", "区政府办公室"],
      { runs, env },
    );
    results.push({ name: "receive (remote)", ...receive });
    log(
      `  receive against a local bare remote: median ${Math.round(receive.median)} ms, p90 ${Math.round(receive.p90)} ms`,
    );
    restoreRegistry(dir, meta);
    restoreIndex();

    const open = Object.values(meta.openIds).flat();
    if (open.length < commits) throw new Error(`only ${open.length} open records for ${commits} commits`);
    const tip = pushNotes(remote, meta.head, branch, open, commits);
    const syncRuns = Math.max(2, Math.min(runs, 6));
    const sync = timeRuns(node, () => [BIN, "sync"], {
      runs: syncRuns,
      env,
      after: (_i, r) => {
        const head = git(dir, ["rev-parse", "HEAD"]).trim();
        if (head !== tip) throw new Error(`sync ended at ${head}, not the remote's ${tip}: ${r.stderr}`);
        // Back to before: the next run fetches and moves again (the fetched objects stay, as a
        // clerk's second clone would not have them; the transfer is small next to the rest).
        restoreRegistry(dir, meta);
        git(dir, ["update-ref", "-d", `refs/remotes/${REMOTE_NAME}/${branch}`]);
        restoreIndex();
      },
    });
    results.push({ name: `sync (${commits} remote commits)`, ...sync });
    log(
      `  sync of ${commits} remote commits: median ${Math.round(sync.median)} ms, p90 ${Math.round(sync.p90)} ms`,
    );
  } finally {
    git(dir, ["remote", "remove", REMOTE_NAME]);
    spawnSync("git", ["config", "--local", "--unset", "office-doc.remote"], { cwd: dir });
    restoreRegistry(dir, meta);
    restoreIndex();
    rmSync(remote, { recursive: true, force: true });
  }
  return results;
}
