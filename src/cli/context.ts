import { formatInstant, officeDate, parseInstant } from "../core/dates.js";
import type { CoreHooks } from "../core/hooks.js";
import type { OfficeConfig, Person } from "../core/model.js";
import { findPerson } from "../core/office.js";
import { OfficeError, usageError } from "../core/problems.js";
import { assertAdmin, assertMayRecordFor, hasAdmin } from "../core/trust.js";
import { configuredEmail, configuredIdentity, type Identity } from "../store/git.js";
import { historyStart } from "../store/history-start.js";
import { onIndexBuild } from "../store/index-cache.js";
import { onShareNotice } from "../store/notices.js";
import { locateRegistry, Registry } from "../store/registry.js";
import { palette, wantsColor } from "../ui/color.js";
import { detectLang, type Lang, type Params, t } from "../ui/i18n/index.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import { FORMATS, type Format } from "../ui/render.js";
import type { Io } from "./io.js";
import type { KindCommands } from "./kind-commands.js";
import { textForPeople } from "./output.js";

/** Options every command accepts (commander's globals). */
export interface GlobalOptions {
  registry?: string;
  as?: string;
  lang?: string;
  json?: boolean;
  format?: string;
  input?: boolean;
  debug?: boolean;
  color?: boolean;
}

/**
 * The outside world of one run of the CLI: the process's for the bin; a test's own (environment,
 * folder, captured output, hooks) for commands run in-process.
 */
export interface CliEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
  io: Io;
  /** The kind hooks workflows name (core/hooks.ts). */
  hooks: CoreHooks;
  /** The kind commands workflows name (kind-commands.ts). */
  kindCommands: KindCommands;
}

/** The registry folder of a run: `--registry` > OFFICE_DOC_REGISTRY > the nearest above > ./registry. */
export function registryOf(opts: Pick<GlobalOptions, "registry">, cli: CliEnv): Registry {
  return new Registry(locateRegistry(opts.registry, cli.env.OFFICE_DOC_REGISTRY, cli.cwd), cli.hooks);
}

/**
 * Everything a command needs from the outside world, decided once: the registry folder, the clock,
 * the language, the output format, who is typing. Only this module reads the environment and the clock.
 */
export class Ctx {
  readonly lang: Lang;
  readonly format: Format;
  readonly json: boolean;
  readonly color: boolean;
  readonly debug: boolean;
  readonly reg: Registry;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly io: Io;
  private nowCache?: number;

  /** `reg`: the registry of `opts`, when the caller has it open already (resolving the command). */
  constructor(
    readonly opts: GlobalOptions,
    readonly cli: CliEnv,
    reg?: Registry,
  ) {
    const env = cli.env;
    this.env = env;
    this.cwd = cli.cwd;
    this.io = cli.io;
    this.lang = detectLang(opts.lang, env) ?? "en";
    if (opts.lang !== undefined && detectLang(opts.lang, env) === undefined)
      throw usageError("cli.bad-lang", { lang: opts.lang });
    this.json = opts.json === true || opts.format === "json";
    const fmt = opts.format ?? (this.json ? "json" : "table");
    if (!FORMATS.includes(fmt as Format))
      throw usageError("cli.bad-format", { format: fmt, formats: FORMATS.join(", ") });
    this.format = fmt as Format;
    this.color = wantsColor(env, opts.color, () => this.io.isTerminal(1));
    this.debug = opts.debug === true;
    this.reg = reg ?? registryOf(opts, cli);
    // A first listing after a clone parses every record: tell a clerk at a terminal (not cron).
    let tty: boolean | undefined;
    onIndexBuild((done, total) => {
      tty ??= this.io.isTerminal(2);
      if (tty)
        this.io.write(2, `\r${this.t("index.building", { done, total })}${done === total ? "\n" : ""}`);
    });
    // issue 17: what a write's dealings with the shared remote tell the clerk.
    onShareNotice((n) => (n.warning ? this.warn(n.key, n.params) : this.say(this.t(n.key, n.params))));
  }

  /**
   * May the command ask at the terminal? Asked only when a value is missing: creating the stdin
   * stream (or loading node:tty) costs ~5 ms of every command.
   */
  get interactive(): boolean {
    return this.opts.input !== false && this.env.CI !== "true" && this.io.stdinIsTerminal();
  }

  /** The same context speaking another language (printed forms are always Chinese). */
  withLang(lang: Lang): Ctx {
    return new Ctx({ ...this.opts, lang }, this.cli, this.reg);
  }

  /** The same context on another registry folder (init DIR). */
  withRegistry(dir: string): Ctx {
    return new Ctx({ ...this.opts, registry: dir }, this.cli);
  }

  t(key: MessageKey, params: Params = {}): string {
    return t(this.lang, key, params);
  }

  /** Now, in epoch ms: OFFICE_DOC_NOW when set (for tests, and to replay a day), else the clock. */
  now(): number {
    if (this.nowCache === undefined) {
      const fixed = this.env.OFFICE_DOC_NOW;
      if (fixed) {
        const ms = parseInstant(fixed, "Asia/Shanghai");
        if (ms === undefined) throw usageError("cli.bad-now", { value: fixed });
        this.nowCache = ms;
      } else this.nowCache = Date.now();
    }
    return this.nowCache;
  }

  office(): OfficeConfig {
    return this.reg.office();
  }

  tz(): string {
    return this.reg.exists() ? this.office().timezone : "Asia/Shanghai";
  }

  /** Now as stored (ISO 8601 with the office's offset), for commit dates. */
  stamp(): string {
    return formatInstant(this.now(), this.tz());
  }

  today(): string {
    return officeDate(this.now(), this.tz());
  }

  /** Parse a date-time option in office time (a bare date is its start). Exit 2 when malformed. */
  instant(option: string, value: string): number {
    const ms = parseInstant(value, this.tz());
    if (ms === undefined) throw usageError("cli.bad-datetime", { option, value });
    return ms;
  }

  /**
   * `--at DATETIME`: when something really happened (received yesterday evening), parsed in office
   * time. Exit 2 when malformed, later than now, or before the registry's first commit (nothing can
   * have been received in a registry that did not exist yet).
   */
  async pastInstant(option: string, value: string): Promise<number> {
    const ms = this.instant(option, value);
    if (ms > this.now())
      throw usageError("cli.at-future", { option, value, now: formatInstant(this.now(), this.tz()) });
    const start = this.reg.exists() ? await historyStart(this.reg) : undefined;
    if (start !== undefined && ms < start)
      throw usageError("cli.at-before-registry", { option, value, start: formatInstant(start, this.tz()) });
    return ms;
  }

  out(s: string): void {
    this.io.write(1, s.endsWith("\n") || s === "" ? s : `${s}\n`);
  }

  /** Messages for people go to stderr, so stdout stays data. */
  say(s: string): void {
    this.io.write(2, `${s}\n`);
  }

  warn(key: MessageKey, params: Params = {}): void {
    const label = palette(this.stderrColor).warning(this.lang === "zh-CN" ? "警告" : "warning");
    // The label's colour codes are ours: written as they are, the message escaped.
    this.io.writeRaw(2, `${label}: ${textForPeople(`${this.t(key, params)}\n`)}`);
  }

  private stderrColorCache?: boolean;

  /** Are messages on stderr coloured? (Asked only when one is written.) */
  get stderrColor(): boolean {
    this.stderrColorCache ??= wantsColor(this.env, this.opts.color, () => this.io.isTerminal(2));
    return this.stderrColorCache;
  }

  /** The person typing: OFFICE_DOC_USER, else the person whose email is git's user.email here. */
  async operator(office: OfficeConfig = this.office()): Promise<Person | undefined> {
    const id = this.env.OFFICE_DOC_USER;
    if (id) {
      const p = findPerson(office, id);
      if (!p) throw usageError("cli.unknown-operator", { person: id });
      return p;
    }
    const email = await configuredEmail(this.reg.dir);
    return email ? office.people.find((p) => p.email?.toLowerCase() === email.toLowerCase()) : undefined;
  }

  /**
   * For workflow actions: who acts (`--as`) and who records. Exit 2 when either is unknown; exit 1
   * when the operator names someone else without a role of office.yaml `record_for` (issue 18).
   */
  async actors(): Promise<{ actor: Person; recorder: Person }> {
    const recorder = await this.operator();
    if (!recorder) throw usageError("cli.no-operator");
    if (this.opts.as) {
      const actor = findPerson(this.office(), this.opts.as);
      if (!actor) throw usageError("cli.unknown-person", { person: this.opts.as });
      assertMayRecordFor(this.office(), recorder, actor, "--as");
      return { actor, recorder };
    }
    return { actor: recorder, recorder };
  }

  /** A person named in an option (`--by`, `--person`). Exit 2 when unknown. */
  person(option: string, id: string): Person {
    const p = findPerson(this.office(), id);
    if (!p) throw usageError("cli.unknown-person-option", { option, person: id });
    return p;
  }

  /**
   * Who makes a setup change (`what`: person add, calendar set, upgrade...), and the commit's identity.
   * While the office has no administrator (office.yaml `admin_roles`), anyone may: the operator when
   * known, else git's own identity, else office-doc's. Once it has one, the operator must be one
   * (exit 1 naming the roles; exit 2 when OFFICE_DOC_USER names nobody): CLI.md, issue 18.
   */
  async setupActor(what: string): Promise<{ identity: Identity; person?: Person }> {
    if (this.reg.exists()) {
      const office = this.office();
      if (hasAdmin(office)) {
        const op = await this.operator();
        assertAdmin(office, op, what);
        return { identity: identityOf(op as Person), person: op as Person };
      }
      const op = await this.operator().catch(() => undefined);
      if (op) return { identity: identityOf(op), person: op };
    }
    return {
      identity: (await configuredIdentity(this.reg.dir)) ?? {
        name: "office-doc",
        email: "office-doc@localhost",
      },
    };
  }

  /** Commit identity for setup commands that do not change the office (see setupActor). */
  async setupIdentity(): Promise<Identity> {
    if (this.reg.exists()) {
      const op = await this.operator().catch(() => undefined);
      if (op) return identityOf(op);
    }
    return (await configuredIdentity(this.reg.dir)) ?? { name: "office-doc", email: "office-doc@localhost" };
  }
}

export function identityOf(p: Person): Identity {
  return { name: p.name, email: p.email ?? `${p.id}@office-doc.invalid` };
}

export { OfficeError };
