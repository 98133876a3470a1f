// Worker thread of the generator: the big record folders (records/<kind>/<year>) of some years. It
// receives, per commit of its years, which file changed to which blob, keeps each folder as a
// BigTree (skip-deltas, incremental hashing), writes the folder versions into a pack of its own and
// answers with each version's tree id. The main thread renders the records meanwhile; the small
// trees above the folders and the commits are written once every folder id is known.

import { parentPort, workerData } from "node:worker_threads";
import { BigTree, PackWriter } from "./gitpack.mjs";

const pack = new PackWriter(workerData.packDir);
const bigTrees = new Map();

parentPort.on("message", (msg) => {
  if (msg.type === "batch") {
    const n = msg.names.length;
    const blobs = Buffer.from(msg.blobs.buffer, msg.blobs.byteOffset, msg.blobs.byteLength);
    const out = Buffer.allocUnsafeSlow(20 * n);
    for (let i = 0; i < n; i++) {
      const key = msg.keys[i];
      let bt = bigTrees.get(key);
      if (!bt) {
        bt = new BigTree(pack);
        bigTrees.set(key, bt);
      }
      bt.set(msg.names[i], blobs.subarray(20 * i, 20 * i + 20)).id.copy(out, 20 * i);
    }
    parentPort.postMessage({ type: "trees", index: msg.index, ids: out }, [out.buffer]);
  } else if (msg.type === "finish") {
    const name = pack.finish();
    const perYear = {};
    for (const [key, bt] of bigTrees) perYear[key] = bt.names.length;
    parentPort.postMessage({ type: "done", pack: name, objects: pack.count, perYear });
  }
});
