/**
 * GitHub's rules for `owner/name`: an owner is 1–39 letters, digits and hyphens, not
 * starting with a hyphen (a few old accounts end with one); a name is 1–100 letters,
 * digits, `.`, `_` and `-`, but not `.` or `..`. The one pattern for every place a
 * repository name comes in as text (a command, the CLI, a call to gh-datapipe).
 */
const FULL_NAME = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/(?!\.\.?$)([A-Za-z0-9._-]{1,100})$/;

export function parseFullName(text: string): { owner: string; name: string } | null {
  const match = FULL_NAME.exec(text);
  return match ? { owner: match[1]!, name: match[2]! } : null;
}
