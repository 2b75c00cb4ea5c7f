/** `+15%`, `-4%`, `0%`, or `n/a` where the earlier window has no data. */
export function formatChange(percentChange: number | null): string {
  if (percentChange === null) return "n/a";
  if (percentChange > 0) return `+${percentChange}%`;
  return `${percentChange}%`;
}
