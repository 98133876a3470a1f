import type { MessageKey } from "../ui/i18n/keys.js";

/**
 * What a write's session with the shared remote tells the clerk (issue 17: offline, renamed ids,
 * conflicts waiting for `resolve`): a leaf module, so that the CLI context can listen without
 * loading the sharing code for every read.
 */
export interface ShareNotice {
  key: MessageKey;
  params: Record<string, string | number>;
  warning?: boolean;
}

let listener: ((n: ShareNotice) => void) | undefined;

/** Where the session's notices go (the CLI context sets it; without it they are not shown). */
export function onShareNotice(fn: (n: ShareNotice) => void): void {
  listener = fn;
}

/** Tell the listener, if any. */
export function notify(n: ShareNotice): void {
  listener?.(n);
}
