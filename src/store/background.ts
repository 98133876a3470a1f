/**
 * Work a command starts and does not wait for (`git gc --auto` after a commit), but that the process
 * must let finish: the CLI waits for it before it exits.
 */
const pending = new Set<Promise<unknown>>();

export function inBackground(work: Promise<unknown>): void {
  const p = work.catch(() => undefined).finally(() => pending.delete(p));
  pending.add(p);
}

/** Resolves when every piece of background work started so far has ended. */
export async function backgroundSettled(): Promise<void> {
  while (pending.size) await Promise.allSettled([...pending]);
}
