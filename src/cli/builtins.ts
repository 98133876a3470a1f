/**
 * The names of office-doc's own commands, by the module that registers them (program.ts): a leaf
 * module, so that a command (check) can know them without importing the program. A kind's create,
 * step or kind command may not take one of these names.
 */
export const BUILTIN_COMMANDS = {
  setup: ["init", "demo", "person", "unit", "check"],
  records: ["show", "where", "list", "log"],
  actions: ["sign", "route", "skip", "note", "urge", "extend", "merge", "withdraw", "reopen", "file"],
  print: ["print"],
  calendar: ["calendar"],
  reports: ["overdue", "report"],
  egov: ["egov", "backup"],
  sync: ["sync", "resolve", "remote", "merge-driver"],
  upgrade: ["upgrade"],
  completion: ["completion", "completion-server"],
  trust: ["verify", "correct", "config", "fix"],
};

/** Every built-in command name, and commander's `help`. */
export const BUILTINS: ReadonlySet<string> = new Set([...Object.values(BUILTIN_COMMANDS).flat(), "help"]);
