import { z } from "zod";

/**
 * Parses an environment flag. `z.coerce.boolean()` would read "false" as true, so the
 * accepted spellings are listed instead.
 */
const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], {
      error: "expected true or false",
    })
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes" || v === "on");

const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .default(String(fallback))
    .refine((v) => /^\s*\d+\s*$/.test(v), {
      error:
        max === Number.MAX_SAFE_INTEGER
          ? `expected a whole number, at least ${min}`
          : `expected a whole number from ${min} to ${max}`,
    })
    .transform((v) => Number(v))
    .refine((n) => n >= min && n <= max, {
      error:
        max === Number.MAX_SAFE_INTEGER
          ? `expected a whole number, at least ${min}`
          : `expected a whole number from ${min} to ${max}`,
    });

const url = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { error: "expected an http(s) URL" })
    .transform((v) => v.replace(/\/+$/, ""));

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

const schema = z
  .object({
    DATABASE_URL: z
      .string()
      .optional()
      .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined))
      .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
        error: "expected a postgres:// or postgresql:// URL, or unset for the embedded database",
      }),
    DATA_DIR: z.string().min(1).default("./.data"),
    GH_DATPIPE_API_URL: url("https://gh-datapipe.fly.dev"),
    GH_DATPIPE_KEY: optionalSecret,
    BACKFILL_DEFAULT_DAYS: integer(90, 1, 365),
    BACKFILL_MAX_DAYS: integer(90, 1, 365),
    BACKFILL_DELAY_MS: integer(1000, 0),
    BACKFILL_CONCURRENCY: integer(1, 1, 100),
    BACKFILL_POLL_INTERVAL_MS: integer(5000, 1),
    BACKFILL_JOB_TIMEOUT_MS: integer(1_800_000, 1),
    BACKFILL_PROGRESS_EVERY: integer(3, 1),
    AUTO_BACKFILL_ON_INSTALL: flag(true),
    METRICS_API_TOKEN: optionalSecret,
    BACKFILL_SOURCE: z
      .enum(["auto", "github", "datapipe", "both"], {
        error: "expected auto, github, datapipe or both",
      })
      .default("auto"),
    GITHUB_REFRESH_DEBOUNCE_MS: integer(60_000, 0),
    NOTIFY_SLACK_WEBHOOK_URL: optionalSecret.refine(
      (v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v),
      { error: "expected an http(s) URL" },
    ),
    NOTIFY_DISCORD_WEBHOOK_URL: optionalSecret.refine(
      (v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v),
      { error: "expected an http(s) URL" },
    ),
    PUBLIC_URL: z
      .string()
      .optional()
      .refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
        error: "expected an http(s) URL",
      })
      .transform((v) => v?.replace(/\/+$/, "")),
  })
  .refine((c) => c.BACKFILL_DEFAULT_DAYS <= c.BACKFILL_MAX_DAYS, {
    path: ["BACKFILL_DEFAULT_DAYS"],
    error: "expected at most BACKFILL_MAX_DAYS",
  });

export type Config = z.output<typeof schema>;

/** Where back-fills read from (contract §2): `auto` is `both` with a gh-datapipe key, else `github`. */
export type BackfillSources = { github: boolean; datapipe: boolean };

export function backfillSources(
  config: Pick<Config, "BACKFILL_SOURCE" | "GH_DATPIPE_KEY">,
): BackfillSources {
  switch (config.BACKFILL_SOURCE) {
    case "github":
      return { github: true, datapipe: false };
    case "datapipe":
      return { github: false, datapipe: true };
    case "both":
      return { github: true, datapipe: true };
    case "auto":
      return { github: true, datapipe: config.GH_DATPIPE_KEY !== undefined };
  }
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads the app's own variables (contract §2). Probot reads its own. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string | undefined> = { ...env };
  // The seed spells it DATPIPE; DATAPIPE is accepted as an alias.
  input.GH_DATPIPE_API_URL ??= env.GH_DATAPIPE_API_URL;
  input.GH_DATPIPE_KEY ??= env.GH_DATAPIPE_KEY;
  for (const key of Object.keys(input)) {
    if (input[key] === "") delete input[key];
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? "configuration");
    // Never echo the value: it may be a secret.
    throw new ConfigError(`Invalid ${name}: ${issue.message}`);
  }
  return result.data;
}
