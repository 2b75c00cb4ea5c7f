/**
 * The page number of a `Link` header's `rel="next"` (GitHub's pagination), or null on the
 * last page. GitHub's next link carries `page=N`; without it the next page is `current + 1`.
 */
export function nextPage(link: unknown, current: number): number | null {
  if (typeof link !== "string") return null;
  for (const part of link.split(",")) {
    const m = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (!m || !/\brel="?next"?/.test(m[2]!)) continue;
    const page = /[?&]page=(\d+)/.exec(m[1]!);
    return page ? Number(page[1]) : current + 1;
  }
  return null;
}
