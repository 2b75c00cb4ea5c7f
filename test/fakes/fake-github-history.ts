/**
 * GitHub's star history and fork list for the fake GitHub (contract §4b):
 * `GET /repos/{o}/{r}/stargazers/history` answers weeks newest first, 30 a page whatever
 * `per_page` asks, from the week of the first star to the running week, zero weeks
 * included; `GET /repos/{o}/{r}/forks?sort=newest` answers up to 100 forks a page, newest
 * first. Both carry `Link` headers with `rel="next"` and `rel="last"` while older pages
 * exist, and scripted answers (rate limits, 404, 5xx) can replace the next requests.
 */

const DAY_MS = 86_400_000;

export interface HistoryAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Scripted {
  kind: "stars" | "forks";
  answer: HistoryAnswer;
  left: number;
}

export interface FakeFork {
  id: number;
  created_at: string;
}

export class FakeHistory {
  /** `owner/name` (lower-cased) → stars per UTC day. */
  readonly stars = new Map<string, Map<string, number>>();
  /** `owner/name` (lower-cased) → forks. */
  readonly forks = new Map<string, FakeFork[]>();
  /** Star-history requests answered per repository (scripted ones included). */
  readonly starRequests = new Map<string, number>();
  readonly forkRequests = new Map<string, number>();
  private scripted: Scripted[] = [];
  private nextForkId = 900_000;

  constructor(private readonly now: () => number = Date.now) {}

  setStars(fullName: string, days: Record<string, number> | Map<string, number>) {
    this.stars.set(
      fullName.toLowerCase(),
      days instanceof Map ? new Map(days) : new Map(Object.entries(days)),
    );
    return this;
  }

  /** Forks created at these instants (ISO strings). */
  addForks(fullName: string, createdAt: string[]) {
    const list = this.forks.get(fullName.toLowerCase()) ?? [];
    for (const at of createdAt) list.push({ id: this.nextForkId++, created_at: at });
    this.forks.set(fullName.toLowerCase(), list);
    return this;
  }

  /** The next `times` requests of that kind get `answer` instead. */
  script(kind: "stars" | "forks", answer: HistoryAnswer, times = 1) {
    this.scripted.push({ kind, answer, left: times });
    return this;
  }

  /** The answer for a history route, or null when the path is not one. */
  handle(
    method: string,
    path: string,
    query: Record<string, string>,
    repoExists: (owner: string, name: string) => boolean,
  ): HistoryAnswer | null {
    if (method !== "GET") return null;
    const m = /^\/repos\/([^/]+)\/([^/]+)\/(stargazers\/history|forks)$/.exec(path);
    if (!m) return null;
    const [owner, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    const kind = m[3] === "forks" ? "forks" : "stars";
    const key = `${owner}/${name}`.toLowerCase();
    const counts = kind === "stars" ? this.starRequests : this.forkRequests;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const scripted = this.scripted.find((s) => s.left > 0 && s.kind === kind);
    if (scripted) {
      scripted.left--;
      return scripted.answer;
    }
    if (!repoExists(owner, name)) return { status: 404, body: { message: "Not Found" } };
    const page = Math.max(1, Number(query.page ?? 1) || 1);
    if (kind === "stars") {
      return paged(path, query, this.weeks(key), page, 30);
    }
    const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30) || 30));
    const forks = [...(this.forks.get(key) ?? [])].sort((a, b) =>
      b.created_at.localeCompare(a.created_at),
    );
    return paged(path, query, forks, page, perPage);
  }

  /** Weeks from the first star's to the running one, newest first; weeks start on Sunday. */
  weeks(key: string): { week: number; total: number; days: number[] }[] {
    const days = this.stars.get(key);
    if (!days || days.size === 0) return [];
    const first = [...days.keys()].sort()[0]!;
    const weekStart = (ms: number) => ms - new Date(ms).getUTCDay() * DAY_MS;
    const today = Date.parse(`${new Date(this.now()).toISOString().slice(0, 10)}T00:00:00Z`);
    const weeks = [];
    for (
      let w = weekStart(today);
      w >= weekStart(Date.parse(`${first}T00:00:00Z`));
      w -= 7 * DAY_MS
    ) {
      const counts = Array.from({ length: 7 }, (_, i) => {
        const day = new Date(w + i * DAY_MS).toISOString().slice(0, 10);
        return days.get(day) ?? 0;
      });
      weeks.push({ week: w / 1000, total: counts.reduce((a, b) => a + b, 0), days: counts });
    }
    return weeks;
  }
}

function paged<T>(
  path: string,
  query: Record<string, string>,
  items: T[],
  page: number,
  perPage: number,
): HistoryAnswer {
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const body = items.slice((page - 1) * perPage, page * perPage);
  const link = (p: number) => {
    const q = new URLSearchParams({ ...query, page: String(p) });
    return `<https://api.github.com${path}?${q}>`;
  };
  const links = [];
  if (page < last) links.push(`${link(page + 1)}; rel="next"`, `${link(last)}; rel="last"`);
  if (page > 1) links.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
  return { status: 200, body, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}
