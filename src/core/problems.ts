import type { MessageKey } from "../ui/i18n/keys.js";

/**
 * A validation finding. Validators return these instead of throwing; the storage layer adds the file
 * and line (from `path`, a key path into the YAML document) and the CLI translates `code`.
 */
export interface Problem {
  path: (string | number)[];
  code: MessageKey;
  params: Record<string, string | number>;
  /** Warnings are reported but do not make `check` fail. */
  warning?: boolean;
}

/** How a failure should be treated: the CLI maps each kind to one exit code (usage -> 2, others -> 1). */
export type ErrorKind = "usage" | "refused" | "failed";

/** An error the user can act on: a code from the message catalogue and its parameters. */
export class OfficeError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: MessageKey,
    readonly params: Record<string, string | number> = {},
    readonly problems: Problem[] = [],
    readonly file?: string,
  ) {
    super(`${code} ${JSON.stringify(params)}`);
    this.name = "OfficeError";
  }
}

export const usageError = (code: MessageKey, params: Record<string, string | number> = {}) =>
  new OfficeError("usage", code, params);
export const refused = (code: MessageKey, params: Record<string, string | number> = {}) =>
  new OfficeError("refused", code, params);
export const failed = (code: MessageKey, params: Record<string, string | number> = {}) =>
  new OfficeError("failed", code, params);
