import { chalkLib } from "../store/lazy.js";

/**
 * Colour at a terminal, for every command: the one place that decides whether to colour and that
 * colours, through chalk. chalk (with node:tty, which it loads) costs ~5–8 ms of a start: it is
 * loaded only when a coloured text is asked for at a terminal.
 */

/** The colours of a warning light (the supervision ledger): red, yellow, green. */
export type Tone = "red" | "yellow" | "green";

/** What a command's messages are coloured as. */
export interface Palette {
  /** The `error:` of a failure. */
  error(text: string): string;
  /** The `warning:` of a warning. */
  warning(text: string): string;
  /** The `hint:` after an error. */
  hint(text: string): string;
  /** A cell in the colour of its light (the words stay: `red`, 红灯). */
  tone(tone: Tone, text: string): string;
}

const PLAIN: Palette = { error: (s) => s, warning: (s) => s, hint: (s) => s, tone: (_, s) => s };

/**
 * Should output to a stream be coloured? Only at a terminal (`terminal()` is asked last: it may load
 * node:tty), never with NO_COLOR set to anything but empty (no-color.org), `--no-color` (`flag`
 * false) or TERM=dumb.
 */
export function wantsColor(
  env: NodeJS.ProcessEnv,
  flag: boolean | undefined,
  terminal: () => boolean,
): boolean {
  if (flag === false || env.TERM === "dumb") return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return terminal();
}

let coloured: Palette | undefined;

/** The palette: colours when `on`, the text as it is otherwise. Basic ANSI colours (chalk level 1). */
export function palette(on: boolean): Palette {
  if (!on) return PLAIN;
  if (!coloured) {
    const c = new (chalkLib().Chalk)({ level: 1 });
    coloured = {
      error: c.bold.red,
      warning: c.yellow,
      hint: c.cyan,
      tone: (tone, text) => (tone === "red" ? c.bold.red : tone === "yellow" ? c.yellow : c.green)(text),
    };
  }
  return coloured;
}
