/** User input shown as inline code: one line, bounded, and backticks cannot close the span. */
export function inlineCode(text: string, max = 60): string {
  let t = text.replace(/[\r\n]+/g, " ").replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, "\ufffd");
  if (t.length > max) t = `${t.slice(0, max)}…`;
  t = t.replace(/`/g, "'");
  // A span that starts or ends with a space would be trimmed by the renderer.
  return `\`${t}\``;
}
