/**
 * The Markdown that puts a repository's badge and history chart in a README (contract §8),
 * under the app's public base URL. Owner and name are GitHub's characters only (letters,
 * digits, `-`, `_`, `.`), so they need no escaping in a URL or in Markdown.
 */
export function embedMarkdown(
  publicUrl: string,
  fullName: string,
): { badge: string; chart: string } {
  const base = `${publicUrl}/embed/${fullName}`;
  return {
    badge: `![stars](${base}/stars.svg)`,
    chart: `![star history of ${fullName}](${base}/history.svg)`,
  };
}
