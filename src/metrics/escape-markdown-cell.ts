/**
 * Text from data (repository names as gh-datapipe or a caller wrote them) as plain text in a
 * markdown table cell: no emphasis, links, autolinked `#123`/URLs, HTML, mentions or broken
 * cells. `.`, `-` and `+` stay bare: they only mean something at the start of a line, which
 * a cell never is, and GitHub names are full of them.
 */
export function escapeMarkdownCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]<>()#!|~&:]/g, (c) => `\\${c}`)
    .replace(/@/g, "@\u200b");
}
