import type { Queryable } from "../../src/db/index.js";

/**
 * Realistic `WatchEvent` / `ForkEvent` rows for one repository, as gh-datapipe would write
 * them into `github_events_cache`. Star growth follows a smooth curve whose 30-day window
 * grows by a seeded 18–26 % (so the demo's "+NN%" lands between 15 % and 30 % even where
 * metrics windows cut days in half), with day-to-day noise; forks are about 1/8 of stars.
 * The same seed, repository and `now` always give the same rows, ids included, so writing
 * a repository twice is idempotent (`on conflict do nothing`), like a re-run back-fill.
 */

export interface SyntheticEvent {
  eventId: string;
  eventType: "WatchEvent" | "ForkEvent";
  actorLogin: string;
  repositoryOwner: string;
  repositoryName: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export interface SyntheticOptions {
  /** `owner/name` */
  repository: string;
  /** Days of history ending at `now`. */
  days: number;
  seed?: number;
  now?: Date;
  /** Stars per day at the start of the most recent 30 days; seeded 12–40 when omitted. */
  starsPerDay?: number;
}

export interface SyntheticSeries {
  events: SyntheticEvent[];
  /** Stars and forks per day, index 0 the 24 hours ending at `now`. */
  starsByDay: number[];
  forksByDay: number[];
  /** The growth the generator aimed at between the two most recent 30-day windows. */
  growth: number;
}

const DAY_MS = 86_400_000;

/** mulberry32: a small, fast, well-distributed seeded generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a, to derive per-repository seeds and ids from text. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const FIRST = [
  "alex",
  "maria",
  "jchen",
  "sofia",
  "liam",
  "ana",
  "noah",
  "yuki",
  "omar",
  "emma",
  "lucas",
  "priya",
  "mateo",
  "zoe",
  "ivan",
  "chloe",
  "arjun",
  "lena",
  "diego",
  "hana",
  "felix",
  "nina",
  "samir",
  "ines",
  "tom",
  "mei",
  "kofi",
  "elif",
  "jonas",
  "aisha",
  "hugo",
  "sara",
  "ravi",
  "julia",
  "kenji",
  "lea",
  "marco",
  "olga",
  "pablo",
  "tara",
];
const LAST = [
  "dev",
  "codes",
  "builds",
  "hacks",
  "io",
  "smith",
  "nguyen",
  "garcia",
  "kumar",
  "muller",
  "rossi",
  "silva",
  "tanaka",
  "kowalski",
  "ocean",
  "pixel",
  "rust",
  "byte",
  "lab",
  "ops",
];

function login(rand: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const first = pick(FIRST);
  switch (Math.floor(rand() * 4)) {
    case 0:
      return `${first}-${pick(LAST)}`;
    case 1:
      return `${first}${pick(LAST)}`;
    case 2:
      return `${first}${Math.floor(rand() * 990) + 10}`;
    default:
      return `${first}-${pick(LAST)}${Math.floor(rand() * 90) + 10}`;
  }
}

function actor(loginName: string) {
  const id = (hash(loginName) % 90_000_000) + 1_000_000;
  return {
    id,
    login: loginName,
    display_login: loginName,
    gravatar_id: "",
    url: `https://api.github.com/users/${loginName}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?`,
  };
}

/** Moves `target - sum` units across the window's days, one at a time, never below zero. */
function adjustTo(counts: number[], from: number, to: number, target: number, rand: () => number) {
  let sum = 0;
  for (let d = from; d < to; d++) sum += counts[d]!;
  while (sum !== target) {
    const d = from + Math.floor(rand() * (to - from));
    if (sum < target) {
      counts[d]!++;
      sum++;
    } else if (counts[d]! > 0) {
      counts[d]!--;
      sum--;
    }
  }
}

export function syntheticEvents(options: SyntheticOptions): SyntheticSeries {
  const [owner, name] = options.repository.split("/") as [string, string];
  const seed = options.seed ?? 1;
  const now = (options.now ?? new Date()).getTime();
  const days = options.days;
  const key = hash(`${seed}:${options.repository.toLowerCase()}`);
  const rand = random(key);

  const growth = 0.18 + rand() * 0.08;
  const base = options.starsPerDay ?? 12 + rand() * 28;
  // Day d (0 = most recent) on a curve that multiplies by (1 + growth) every 30 days,
  // noised ±30 % per day.
  const starsByDay: number[] = [];
  for (let d = 0; d < days; d++) {
    const expected = base * (1 + growth) ** ((15 - d) / 30);
    starsByDay.push(Math.max(0, Math.round(expected * (0.7 + rand() * 0.6))));
  }
  // Noise summed over 30 days could still blur the trend: pin the most recent window to
  // exactly (1 + growth) times the one before.
  if (days >= 60) {
    let previous = 0;
    for (let d = 30; d < 60; d++) previous += starsByDay[d]!;
    adjustTo(starsByDay, 0, 30, Math.round(previous * (1 + growth)), rand);
  }
  const forksByDay = starsByDay.map((s) => Math.max(0, Math.round((s / 8) * (0.6 + rand() * 0.8))));

  const repoId = (key % 700_000_000) + 100_000_000;
  const idBase = key * 1_000_000;
  const events: SyntheticEvent[] = [];
  for (let d = days - 1; d >= 0; d--) {
    const kinds: SyntheticEvent["eventType"][] = [
      ...Array<"WatchEvent">(starsByDay[d]!).fill("WatchEvent"),
      ...Array<"ForkEvent">(forksByDay[d]!).fill("ForkEvent"),
    ];
    for (const eventType of kinds) {
      const who = login(rand);
      const createdAt = new Date(now - d * DAY_MS - Math.floor(rand() * DAY_MS));
      const payload =
        eventType === "WatchEvent"
          ? { action: "started" }
          : {
              forkee: {
                id: repoId + 1 + events.length,
                name,
                full_name: `${who}/${name}`,
                private: false,
                owner: { login: who, id: actor(who).id, type: "User" },
                fork: true,
                html_url: `https://github.com/${who}/${name}`,
                created_at: createdAt.toISOString(),
                public: true,
              },
            };
      events.push({
        eventId: String(idBase + events.length),
        eventType,
        actorLogin: who,
        repositoryOwner: owner,
        repositoryName: name,
        payload,
        createdAt,
      });
    }
  }
  events.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return { events, starsByDay, forksByDay, growth };
}

/** The same event as GitHub's events API lists it (`GET /repos/{owner}/{repo}/events`). */
export function asApiEvent(event: SyntheticEvent) {
  return {
    id: event.eventId,
    type: event.eventType,
    actor: actor(event.actorLogin),
    repo: {
      name: `${event.repositoryOwner}/${event.repositoryName}`,
      url: `https://api.github.com/repos/${event.repositoryOwner}/${event.repositoryName}`,
    },
    payload: event.payload,
    public: true,
    created_at: event.createdAt.toISOString(),
  };
}

const BATCH = 2_000;

/**
 * Inserts the rows, one parameterised statement per batch of 2,000 (arrays through
 * `unnest`). Returns how many were new.
 */
export async function insertEvents(db: Queryable, events: SyntheticEvent[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const batch = events.slice(i, i + BATCH);
    const { rowCount } = await db.query(
      `insert into github_events_cache
         (event_id, event_type, actor_login, repository_owner, repository_name, payload, created_at)
       select e.id, e.type, e.actor, e.owner, e.name, e.payload::jsonb, e.created_at
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::timestamptz[])
              as e(id, type, actor, owner, name, payload, created_at)
       on conflict (event_id) do nothing`,
      [
        batch.map((e) => e.eventId),
        batch.map((e) => e.eventType),
        batch.map((e) => e.actorLogin),
        batch.map((e) => e.repositoryOwner),
        batch.map((e) => e.repositoryName),
        batch.map((e) => JSON.stringify(e.payload)),
        batch.map((e) => e.createdAt.toISOString()),
      ],
    );
    inserted += rowCount;
  }
  return inserted;
}

/**
 * The row writer a fake gh-datapipe calls when a job completes (its `RowWriter`):
 * generates the repository's history over the job's days and writes it. Resolves to the
 * number of rows written.
 */
export function syntheticRowWriter(
  db: Queryable,
  options: { seed?: number; now?: () => Date } = {},
): (job: { repository: string; days: number }) => Promise<number> {
  return async ({ repository, days }) => {
    const { events } = syntheticEvents({
      repository,
      days,
      seed: options.seed ?? 1,
      now: options.now?.() ?? new Date(),
    });
    return insertEvents(db, events);
  };
}
