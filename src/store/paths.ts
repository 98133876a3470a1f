import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder of the office-doc package (where templates/ lives), found by walking up from this
 * module: the bundle may load it from dist/ or dist/chunks/, the tests from src/.
 */
export function packageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(d, "package.json");
    if (existsSync(pj) && existsSync(join(d, "templates"))) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "office-doc") return d;
      } catch {
        /* not ours */
      }
    }
    const up = dirname(d);
    if (up === d) throw new Error("office-doc package root not found");
    d = up;
  }
}

export function templatePath(...rel: string[]): string {
  return join(packageRoot(), "templates", ...rel);
}
