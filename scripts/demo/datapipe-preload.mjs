/**
 * Loaded into the demo's app server with `node --import` (never by `npm start`): starts the
 * simulated gh-datapipe inside the server process and points GH_DATPIPE_API_URL at it.
 *
 * Why here and not in the demo process: the embedded database belongs to exactly one
 * process (a second opener would corrupt it, and `DATA_DIR` is locked), and gh-datapipe's
 * job is to write events into that database. So the simulated gh-datapipe lives next to
 * the database: it borrows the PGlite instance the app opens (captured as `PGlite.create`
 * returns it), as the real one writes to the shared Postgres.
 *
 * Plain JavaScript on purpose: the app's modules load untouched (a TypeScript loader over
 * the whole server costs ~3 s of start-up); only demo-datapipe.ts goes through tsx.
 */
import { PGlite } from "@electric-sql/pglite";
import { tsImport } from "tsx/esm/api";

// The app may open and close the database more than once: write through the most recent
// instance still open.
const opened = [];
const create = PGlite.create.bind(PGlite);
PGlite.create = async (...args) => {
  const db = await create(...args);
  opened.push(db);
  return db;
};

function appDb() {
  const db = opened.findLast((d) => !d.closed);
  if (!db) throw new Error("the app has no embedded database open");
  return db;
}

/** PGlite's own API as the app's `Queryable`. */
const queryable = {
  async query(text, params) {
    const result = await appDb().query(text, params);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  },
};

const { startDemoDatapipe } = await tsImport("./demo-datapipe.ts", import.meta.url);
process.env.GH_DATPIPE_API_URL = await startDemoDatapipe(queryable, process.env);
