import { writeFileSync } from "node:fs";
import type { Queryable } from "../../src/db/index.js";
import { startFakeDatapipe } from "../../test/fakes/fake-datapipe.js";
import { syntheticRowWriter } from "../../test/fakes/synthetic-events.js";

/**
 * The simulated gh-datapipe of the demo, run inside the app server's process (see
 * datapipe-preload.mjs): completed jobs write synthetic star and fork history through
 * `db`, the app's own embedded database. Resolves with its base URL.
 */
export async function startDemoDatapipe(db: Queryable, env: NodeJS.ProcessEnv): Promise<string> {
  const write = syntheticRowWriter(db, { seed: Number(env.DEMO_SEED ?? 1) });
  const datapipe = await startFakeDatapipe({
    apiKey: env.GH_DATPIPE_KEY ?? "",
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
  const stateFile = env.DEMO_DATAPIPE_STATE;
  if (stateFile) {
    // The demo process reads the jobs from here at the end.
    const save = () => writeFileSync(stateFile, JSON.stringify([...datapipe.jobs.values()]));
    setInterval(save, 200).unref();
  }
  return datapipe.url;
}
