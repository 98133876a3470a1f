import { lastCommittedTexts } from "../store/edits.js";
import type { Registry } from "../store/registry.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import type { Ctx } from "./context.js";

/**
 * Record files as a view reads them whole (`show`, `where`, `print`, a register): as last committed,
 * like the listings that read the index, so that every view shows the same version of a record; a
 * file with an uncommitted change (a hand edit) is named in a warning (`key`), never shown as the
 * record without a word. A file never committed reads as missing (`list` does not have it either).
 * Costs a stat of each file's folder when its folders are known clean (edits.ts), else one
 * `git status` of the changed folders and one `git show` per edited file.
 */
export function committedReader(
  ctx: Ctx,
  rels: readonly string[],
  key: MessageKey & ("list.uncommitted-file" | "show.uncommitted-file"),
): Pick<Registry, "readText"> & { committed: (rel: string) => boolean } {
  const edited = lastCommittedTexts(ctx.reg.dir, rels);
  for (const file of edited.keys()) ctx.warn(key, { file });
  return {
    readText: (rel) => (edited.has(rel) ? edited.get(rel) : ctx.reg.readText(rel)),
    /** Is `rel` in HEAD at all (false: a file never committed)? */
    committed: (rel) => !edited.has(rel) || edited.get(rel) !== undefined,
  };
}
