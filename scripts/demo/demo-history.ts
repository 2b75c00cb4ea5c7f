import type { FakeGitHub } from "../../test/fakes/fake-github.js";

const DAY_MS = 86_400_000;

export interface DemoRepoHistory {
  owner: string;
  name: string;
  /** Days since the first star. */
  ageDays: number;
  /** Stars on an ordinary day at the end of its history. */
  starsPerDay: number;
}

/**
 * A few years of star history and forks for the simulated GitHub, the same on every run:
 * stars per day growing towards `starsPerDay`, a launch spike a third of the way in, a fork
 * for about every twenty stars. Returns what was seeded, for the demo to print.
 */
export function seedDemoHistory(
  github: FakeGitHub,
  repos: DemoRepoHistory[],
  now = Date.now(),
): { fullName: string; stars: number; forks: number }[] {
  return repos.map((repo, r) => {
    let seed = 7 + r * 31;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const stars = new Map<string, number>();
    const forks: string[] = [];
    for (let i = repo.ageDays - 1; i >= 0; i--) {
      const at = now - i * DAY_MS;
      const grown = (repo.ageDays - i) / repo.ageDays;
      const launch = Math.abs(repo.ageDays - i - Math.floor(repo.ageDays / 3)) < 4 ? 12 : 1;
      const n = Math.round(repo.starsPerDay * (0.2 + 0.8 * grown) * launch * (0.5 + random()));
      if (n > 0) stars.set(new Date(at).toISOString().slice(0, 10), n);
      for (let f = 0; f < n; f++) {
        if (random() < 0.05)
          forks.push(new Date(at - Math.floor(random() * 3_600_000)).toISOString());
      }
    }
    const fullName = `${repo.owner}/${repo.name}`;
    github.history.setStars(fullName, stars).addForks(fullName, forks);
    const total = [...stars.values()].reduce((a, b) => a + b, 0);
    return { fullName, stars: total, forks: forks.length };
  });
}
