/**
 * Text we echo into GitHub markdown (repository names, user input) must render as text:
 * no emphasis, links, mentions, HTML or broken table cells. Echoed text never starts a
 * line, so list and heading markers (`-`, `+`, `#`, `1.`) need no escape — which keeps a
 * 1,000-repository dashboard within GitHub's size limit.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b");
}

/** User input shown as inline code: one line, bounded, and backticks cannot close the span. */
export function inlineCode(text: string, max = 60): string {
  let t = text.replace(/[\r\n]+/g, " ").replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, "\ufffd");
  if (t.length > max) t = `${t.slice(0, max)}…`;
  t = t.replace(/`/g, "'");
  // A span that starts or ends with a space would be trimmed by the renderer.
  return `\`${t}\``;
}
