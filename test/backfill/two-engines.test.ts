import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../src/backfill/index.js";
import type { Engine, EngineEvent } from "../../src/backfill/types.js";
import type { Db } from "../../src/db/index.js";
import { createTestDb } from "../helpers/db.js";
import {
  type FakeDatapipe,
  startFakeDatapipe,
  syntheticEventsWriter,
} from "../fakes/fake-datapipe.js";
import { quietLog, seedWorkspace, testConfig, testTuning, waitForRunEnd } from "./harness.js";

// Two replicas need two connections to one database: the embedded database has one.
describe.skipIf(!process.env.DATABASE_URL)(
  "two engines on one database (needs DATABASE_URL)",
  () => {
    let db: Db;
    let fake: FakeDatapipe;

    beforeAll(async () => {
      db = await createTestDb();
      fake = await startFakeDatapipe({ writeRows: syntheticEventsWriter(db), defaultRows: 2 });
    });
    afterAll(async () => {
      await fake.close();
      await db.close();
    });

    it("never triggers an item twice and holds each workspace's pause", async () => {
      const first = ["a1", "a2", "a3", "a4", "a5"].map((n) => `alpha/${n}`);
      const second = ["b1", "b2", "b3", "b4", "b5"].map((n) => `beta/${n}`);
      await seedWorkspace(db, 1, first);
      await seedWorkspace(db, 2, second);
      for (const repo of [...first, ...second]) fake.script(repo, { pollsUntilDone: 3 });
      const config = testConfig(fake.url, { BACKFILL_DELAY_MS: 80, BACKFILL_CONCURRENCY: 2 });
      const make = (workerId: string) =>
        createEngine({
          db,
          config,
          log: quietLog,
          workerId,
          tuning: { ...testTuning, idleMs: 20 },
        });
      const engines: Record<string, Engine> = { one: make("one"), two: make("two") };
      const seen: Array<{ by: string; event: EngineEvent }> = [];
      for (const [by, e] of Object.entries(engines))
        e.subscribe((event) => void seen.push({ by, event }));

      const runs = [
        await engines.one!.request({
          installationId: 1,
          days: 30,
          source: "cli",
          requestedBy: null,
        }),
        await engines.two!.request({
          installationId: 2,
          days: 30,
          source: "cli",
          requestedBy: null,
        }),
      ];
      await Promise.all(Object.values(engines).map((e) => e.start()));
      const ends = await Promise.all(
        runs.map((r) => waitForRunEnd(engines.one!, r.run.id, 20_000)),
      );
      await Promise.all(Object.values(engines).map((e) => e.stop()));

      for (const end of ends) {
        expect(end.status).toBe("completed");
        expect(end.items.every((i) => i.eventsFound === 2)).toBe(true);
      }
      const triggers = fake.triggers();
      expect(triggers.map((t) => t.repository).sort()).toEqual([...first, ...second].sort());
      for (const owner of ["alpha", "beta"]) {
        const mine = triggers.filter((t) => t.repository!.startsWith(`${owner}/`));
        expect(mine.map((t) => t.repository)).toEqual(owner === "alpha" ? first : second);
        for (let i = 1; i < mine.length; i++) {
          expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(80);
        }
      }
      // Each item was taken up (pending → processing) by exactly one engine.
      const claims = seen.flatMap(({ by, event }) =>
        event.type === "item.changed" &&
        event.item.status === "processing" &&
        event.item.jobId === null
          ? [`${event.item.fullName} by ${by}`]
          : [],
      );
      expect(claims).toHaveLength(10);
      expect(new Set(claims.map((c) => c.split(" ")[0])).size).toBe(10);
      expect(seen.filter(({ event }) => event.type === "run.finished")).toHaveLength(2);
    });

    it("shares one workspace's run between replicas without a double trigger", async () => {
      const repos = Array.from({ length: 8 }, (_, i) => `gamma/r${i + 1}`);
      await seedWorkspace(db, 3, repos);
      fake.reset();
      const config = testConfig(fake.url, { BACKFILL_DELAY_MS: 30, BACKFILL_CONCURRENCY: 3 });
      const engines = ["x", "y"].map((workerId) =>
        createEngine({
          db,
          config,
          log: quietLog,
          workerId,
          tuning: { ...testTuning, idleMs: 10 },
        }),
      );
      const { run } = await engines[0]!.request({
        installationId: 3,
        days: 30,
        source: "cli",
        requestedBy: null,
      });
      await Promise.all(engines.map((e) => e.start()));
      const end = await waitForRunEnd(engines[0]!, run.id, 20_000);
      await Promise.all(engines.map((e) => e.stop()));
      expect(end.status).toBe("completed");
      const triggers = fake.triggers();
      expect(triggers.map((t) => t.repository)).toEqual(repos);
      for (let i = 1; i < triggers.length; i++) {
        expect(triggers[i]!.at - triggers[i - 1]!.at).toBeGreaterThanOrEqual(30);
      }
    });
  },
);
