/**
 * Loaded into the demo's app server with `node --import` (never by `npm start`): starts the
 * simulated gh-datapipe inside the server process and points GH_DATPIPE_API_URL at it.
 *
 * Why here and not in the demo process: the embedded database belongs to exactly one
 * process (a second opener would corrupt it, and `DATA_DIR` is locked), and gh-datapipe's
 * job is to write events into that database. So the simulated gh-datapipe lives next to the
 * database: it borrows the PGlite instance the app opens (captured as `PGlite.create`
 * returns it) and writes its rows through it, as the real one writes to the shared Postgres.
 */
import { writeFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { Queryable } from "../../src/db/index.js";
import { startFakeDatapipe } from "../../test/fakes/fake-datapipe.js";
import { syntheticRowWriter } from "../../test/fakes/synthetic-events.js";

// The app may open and close the database more than once (start-up checks): the
// simulated gh-datapipe writes through the most recent instance still open.
const opened: PGlite[] = [];
const create = PGlite.create.bind(PGlite);
PGlite.create = (async (...args: Parameters<typeof PGlite.create>) => {
  const db = await create(...args);
  opened.push(db);
  return db;
}) as typeof PGlite.create;

function appDb(): PGlite {
  const db = opened.findLast((d) => !d.closed);
  if (!db) throw new Error("the app has no embedded database open");
  return db;
}

/** PGlite's own API as the app's `Queryable`. */
const queryable: Queryable = {
  async query<R>(text: string, params?: unknown[]) {
    const result = await appDb().query<R>(text, params);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  },
};

const write = syntheticRowWriter(queryable, { seed: Number(process.env.DEMO_SEED ?? 1) });
const datapipe = await startFakeDatapipe({
  apiKey: process.env.GH_DATPIPE_KEY ?? "",
  // Any positive number: the synthetic history decides how many rows a job writes.
  defaultRows: 1,
  writeRows: async (job) => {
    try {
      await write(job);
    } catch (err) {
      // The fake answers 500; the server log says why.
      console.error(`simulated gh-datapipe could not write ${job.repository}: ${err}`);
      throw err;
    }
  },
});
process.env.GH_DATPIPE_API_URL = datapipe.url;
if (process.env.DEMO_DATAPIPE_STATE) {
  // The demo process reads the jobs from here at the end.
  const save = () =>
    writeFileSync(process.env.DEMO_DATAPIPE_STATE!, JSON.stringify([...datapipe.jobs.values()]));
  setInterval(save, 200).unref();
}
