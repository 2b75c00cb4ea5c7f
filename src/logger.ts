import { getTransformStream } from "@probot/pino";
import { type Logger, pino } from "pino";

/**
 * Request headers Probot's HTTP logger would otherwise write at `info`: the metrics API's
 * bearer token and the webhook signatures. Child loggers inherit the redaction.
 */
export const REDACTED_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
];

/**
 * Probot's own logger (LOG_LEVEL, LOG_FORMAT, …, as `probot run` reads them) with
 * redaction. With `destination` (tests), raw JSON lines go there instead of stdout.
 */
export async function createLogger(
  env: NodeJS.ProcessEnv = process.env,
  destination?: NodeJS.WritableStream,
): Promise<Logger> {
  const options = {
    level: env.LOG_LEVEL || "info",
    name: "probot",
    messageKey: env.LOG_MESSAGE_KEY || "msg",
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  if (destination) return pino(options, destination);
  const transform = await getTransformStream({
    logFormat: env.LOG_FORMAT === "json" ? "json" : "pretty",
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN,
  });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino(options, transform);
}
