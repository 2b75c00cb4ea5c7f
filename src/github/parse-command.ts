import { inlineCode } from "./inline-code.js";
import { parseFullName } from "../shared/full-name.js";

export type Command =
  | {
      kind: "backfill";
      days: number;
      /** `/backfill all`: GitHub's whole history, beside `days` (the maximum) of gh-datapipe. */
      fullHistory?: true;
      /** null: every repository of the workspace. */
      repositories: { owner: string; name: string }[] | null;
    }
  | { kind: "retry" }
  | { kind: "status" }
  | { kind: "cancel" }
  | { kind: "help" };

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string };

export interface ParseOptions {
  maxDays: number;
  defaultDays: number;
}

const KEYWORDS = ["retry", "status", "cancel", "help"] as const;

/** True when the comment's first line starts with `/backfill` (case-insensitive). */
export function isBackfillCommand(body: string): boolean {
  return /^\s*\/backfill/i.test(firstLine(body));
}

function firstLine(body: string): string {
  const nl = body.search(/\r?\n/);
  return nl === -1 ? body : body.slice(0, nl);
}

/** The grammar of contract §3, as shown in replies. */
export function commandHelp(options: ParseOptions): string {
  return [
    "| comment | effect |",
    "|---|---|",
    `| \`/backfill\` | back-fill all workspace repositories, ${options.defaultDays} days |`,
    `| \`/backfill 30\` | the same, 30 days (1 ≤ days ≤ ${options.maxDays}) |`,
    "| `/backfill 30 octo/a octo/b` | only those repositories (each must be in the workspace) |",
    `| \`/backfill all\` (and \`/backfill all octo/a\`) | the whole history: every star and fork GitHub has for the repositories, and ${options.maxDays} days from gh-datapipe |`,
    "| `/backfill retry` | re-run the failed repositories of the workspace's last run |",
    "| `/backfill status` | reply with the current or last run's table |",
    "| `/backfill cancel` | cancel the active run: its pending repositories become `cancelled` |",
    "| `/backfill help` | reply with this grammar |",
  ].join("\n");
}

/**
 * Parses the first line of a comment as a `/backfill` command (contract §3). Pure and total:
 * every string gives a command or an error saying what was wrong and what would be right.
 * Whether the named repositories belong to the workspace is the caller's check.
 */
export function parseCommand(body: string, options: ParseOptions): ParseResult {
  try {
    return parse(String(body), options);
  } catch {
    return { ok: false, error: `That command could not be read. ${tryHelp}` };
  }
}

const tryHelp = "Comment `/backfill help` for the commands.";

function parse(body: string, options: ParseOptions): ParseResult {
  const tokens = firstLine(body).trim().split(/\s+/).filter(Boolean);
  const head = tokens[0] ?? "";
  if (head.toLowerCase() !== "/backfill") {
    if (/^\/backfill/i.test(head)) {
      const rest = head.slice("/backfill".length);
      return fail(
        `${inlineCode(head)} is not a command: put a space after \`/backfill\`, e.g. ${inlineCode(`/backfill ${rest}`)}.`,
      );
    }
    return fail("A command starts with `/backfill`, e.g. `/backfill 30`.");
  }
  const args = tokens.slice(1);
  const first = args[0];
  if (first === undefined) {
    return ok({ kind: "backfill", days: options.defaultDays, repositories: null });
  }
  if (first.toLowerCase() === "all") {
    const repositories = parseRepositories(args.slice(1));
    if (!repositories.ok) return repositories;
    return ok({
      kind: "backfill",
      days: options.maxDays,
      fullHistory: true,
      repositories: repositories.list.length > 0 ? repositories.list : null,
    });
  }
  const keyword = KEYWORDS.find((k) => k === first.toLowerCase());
  if (keyword) {
    if (args.length > 1) {
      return fail(
        `\`/backfill ${keyword}\` takes nothing after it, but got ${inlineCode(args.slice(1).join(" "))}: comment just \`/backfill ${keyword}\`.`,
      );
    }
    return ok({ kind: keyword });
  }
  if (/^[+-]?\d+$/.test(first)) {
    const digits = first.replace(/^\+/, "");
    const days = digits.length > 6 ? Number.POSITIVE_INFINITY : Number(digits);
    if (!(days >= 1 && days <= options.maxDays)) {
      return fail(
        `${inlineCode(first)} days is out of range: days must be a whole number from 1 to ${options.maxDays}, e.g. \`/backfill ${Math.min(30, options.maxDays)}\`.`,
      );
    }
    const repositories = parseRepositories(args.slice(1));
    if (!repositories.ok) return repositories;
    return ok({
      kind: "backfill",
      days,
      repositories: repositories.list.length > 0 ? repositories.list : null,
    });
  }
  if (/^[+-]?\d*[.,]\d+$|^\d+(d|days?)$/i.test(first)) {
    return fail(
      `${inlineCode(first)} is not a number of days: use a whole number from 1 to ${options.maxDays}, e.g. \`/backfill ${Math.min(30, options.maxDays)}\`.`,
    );
  }
  if (parseFullName(first)) {
    return fail(
      `Give the number of days before the repositories, e.g. ${inlineCode(`/backfill ${options.defaultDays} ${first}`)}.`,
    );
  }
  return fail(
    `${inlineCode(first)} is not something \`/backfill\` knows: use a number of days (1 to ${options.maxDays}), \`all\`, \`retry\`, \`status\`, \`cancel\` or \`help\`.`,
  );
}

function parseRepositories(
  tokens: string[],
): { ok: true; list: { owner: string; name: string }[] } | { ok: false; error: string } {
  const list: { owner: string; name: string }[] = [];
  const seen = new Set<string>();
  for (const token of tokens) {
    const repository = parseFullName(token);
    if (!repository) {
      return fail(
        `${inlineCode(token)} is not a repository: name each one as \`owner/name\`, e.g. \`/backfill 30 octo/a octo/b\`.`,
      );
    }
    const key = token.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    list.push(repository);
  }
  return { ok: true, list };
}

function ok(command: Command): ParseResult {
  return { ok: true, command };
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}
