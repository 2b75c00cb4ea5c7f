/**
 * `Retry-After` as milliseconds from `nowMs`: either delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Null when absent or unreadable; never negative. Shared by the
 * gh-datapipe client and the GitHub writes (Octokit hands headers over as strings or numbers).
 */
export function parseRetryAfter(
  value: string | number | null | undefined,
  nowMs: number,
): number | null {
  if (value == null) return null;
  const text = String(value).trim();
  if (text === "") return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
