import { parseFullName } from "../shared/full-name.js";
import { Cron } from "croner";
import { z } from "zod";

/** The file's name under `.github/` (contract §7), as `context.config` takes it. */
export const SETTINGS_FILE = "workspace-backfill.yml";
export const SETTINGS_PATH = `.github/${SETTINGS_FILE}`;

/** `.github/workspace-backfill.yml` once validated; every key optional. */
export interface WorkspaceSettings {
  /** Five-field cron, read in `timezone`. */
  schedule?: string;
  /** IANA name; UTC when absent. */
  timezone?: string;
  /** Days of a scheduled run, or `all` (the whole history). */
  days?: number | "all";
  only_gaps?: boolean;
  /** `owner/name`, never back-filled by schedule or install. */
  exclude?: string[];
}

export const SETTINGS_KEYS = ["schedule", "timezone", "days", "only_gaps", "exclude"] as const;

const CRON_HINT =
  'expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), e.g. "0 6 * * 1"';

/** Whether croner can compute due times for `expr` in `timezone`. */
function cronProblem(expr: string, timezone: string | undefined): string | null {
  if (expr.trim().split(/\s+/).length !== 5) {
    return CRON_HINT;
  }
  try {
    new Cron(expr, { mode: "5-part", paused: true, ...(timezone ? { timezone } : {}) }).nextRun();
    return null;
  } catch {
    return CRON_HINT;
  }
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function schemaFor(maxDays: number) {
  return z.strictObject(
    {
      schedule: z
        .string({ error: 'expected a cron expression in quotes, e.g. "0 6 * * 1"' })
        .refine((v) => cronProblem(v, undefined) === null, { error: CRON_HINT })
        .optional(),
      timezone: z
        .string({ error: "expected an IANA time zone name, e.g. Europe/Berlin" })
        .refine(isTimeZone, { error: "expected an IANA time zone name, e.g. Europe/Berlin" })
        .optional(),
      // One message for the whole key: a union would report its members' own wording.
      days: z
        .custom<number | "all">(
          (v) =>
            v === "all" || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= maxDays),
          { error: `expected a whole number from 1 to ${maxDays}, or all` },
        )
        .optional(),
      only_gaps: z.boolean({ error: "expected true or false" }).optional(),
      exclude: z
        .array(
          z.string().refine((v) => parseFullName(v) !== null, { error: "expected owner/name" }),
          {
            error: "expected a list of repositories, e.g. [octo/archive]",
          },
        )
        .optional(),
    },
    { error: `unknown key; the keys are ${SETTINGS_KEYS.join(", ")}` },
  );
}

export interface SettingsProblem {
  /** The key at fault (`exclude[1]` for an element), or `file` for the file as a whole. */
  key: string;
  message: string;
}

export type SettingsParse =
  | { ok: true; settings: WorkspaceSettings }
  | { ok: false; problems: SettingsProblem[] };

/**
 * Validates what `context.config` read (null: no file). Every problem names its key and
 * what is accepted; unknown keys are problems too, so a typo (`only_gap`) is not ignored.
 */
export function parseWorkspaceSettings(raw: unknown, maxDays: number): SettingsParse {
  if (raw === null || raw === undefined) return { ok: true, settings: {} };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [{ key: "file", message: "expected a YAML mapping of keys" }] };
  }
  const result = schemaFor(maxDays).safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue): SettingsProblem[] => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => ({
          key: k,
          message: `unknown key; the keys are ${SETTINGS_KEYS.join(", ")}`,
        }));
      }
      const [head, ...rest] = issue.path;
      const key = `${String(head ?? "file")}${rest.map((p) => `[${String(p)}]`).join("")}`;
      return [{ key, message: issue.message }];
    });
    return { ok: false, problems };
  }
  const settings = result.data as WorkspaceSettings;
  if (settings.schedule && settings.timezone) {
    const problem = cronProblem(settings.schedule, settings.timezone);
    if (problem) return { ok: false, problems: [{ key: "schedule", message: problem }] };
  }
  return { ok: true, settings };
}

/** The days and history of a scheduled run: `all` is the whole history (contract §3). */
export function scheduledDays(
  settings: WorkspaceSettings,
  config: { BACKFILL_DEFAULT_DAYS: number; BACKFILL_MAX_DAYS: number },
): { days: number; fullHistory: boolean } {
  if (settings.days === "all") return { days: config.BACKFILL_MAX_DAYS, fullHistory: true };
  return { days: settings.days ?? config.BACKFILL_DEFAULT_DAYS, fullHistory: false };
}

/** Whether `fullName` is excluded (case-insensitive, as GitHub matches names). */
export function isExcluded(settings: WorkspaceSettings, fullName: string): boolean {
  const name = fullName.toLowerCase();
  return (settings.exclude ?? []).some((e) => e.toLowerCase() === name);
}
