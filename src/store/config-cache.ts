import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * A file's size, inode and modification time as one string (undefined when it does not exist): a
 * file written through a temp file and a rename always gets a new one.
 */
export function fileStamp(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.size}:${s.ino}:${s.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * Parsed and validated configuration files (office.yaml, workflows, calendar years) kept as JSON,
 * keyed by each file's path, size, inode and modification time. Parsing YAML is the largest fixed
 * cost of a command (~40 ms for all of them); a hit costs a stat. Only valid files are cached, so
 * a broken file is always parsed again and reported.
 */
export class ConfigCache {
  private entries: Record<string, { sig: string; value: unknown }> = {};
  private dirty = false;

  constructor(private readonly file: string) {
    try {
      this.entries = JSON.parse(readFileSync(file, "utf8")) as typeof this.entries;
    } catch {
      this.entries = {};
    }
  }

  /** The cached value for the file at `path`, or `compute()`'s (cached when it returns). */
  get<T>(key: string, path: string, compute: () => T): T {
    const sig = fileStamp(path);
    const hit = this.entries[key];
    if (sig !== undefined && hit && hit.sig === sig) return hit.value as T;
    const value = compute();
    if (sig !== undefined) {
      this.entries[key] = { sig, value };
      if (!this.dirty) {
        this.dirty = true;
        unsaved.add(this);
        if (!listening) {
          listening = true;
          process.once("exit", saveConfigCaches);
        }
      }
    }
    return value;
  }

  save(): void {
    unsaved.delete(this);
    if (!this.dirty) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(this.file, JSON.stringify(this.entries));
      this.dirty = false;
    } catch {
      // A cache that cannot be written (read-only registry) only costs speed.
    }
  }
}

/** Caches with entries not written yet: saved when the process exits (one listener for all). */
const unsaved = new Set<ConfigCache>();
let listening = false;

/** Write every cache with new entries (at exit; tests running commands in-process call it after each). */
export function saveConfigCaches(): void {
  for (const c of [...unsaved]) c.save();
}
