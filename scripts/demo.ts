/**
 * `npm run demo`: the main job end to end on this machine, with no credentials and no
 * network, on the path a new user gets: no gh-datapipe key, so GitHub itself is the source.
 * The app is the real server (`node dist/src/main.js`, as `npm start` runs it) on the
 * embedded database in a temporary directory; GitHub is simulated on loopback, serving a
 * few years of star history and forks. It installs the app on three repositories (the
 * automatic 90-day back-fill), then comments `/backfill all` on the tracking issue, and
 * prints what the bot posted, ending with the whole history's chart.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeGitHub } from "../test/fakes/fake-github.js";
import { buildApp } from "./demo/build-app.js";
import { installationCreated, issueCommentCreated } from "./demo/demo-payloads.js";
import { deliverWebhook } from "./demo/deliver-webhook.js";
import { seedDemoHistory } from "./demo/demo-history.js";
import { printResults, tableRows } from "./demo/print-results.js";
import { type AppServer, freePort, startAppServer } from "./demo/start-app-server.js";
import { waitFor } from "./demo/wait-for.js";
import { writeEmbeds } from "./demo/write-embeds.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Normally done in ~20 s; past this something is stuck. */
const DEADLINE_MS = Number(process.env.DEMO_DEADLINE_MS ?? 60_000);
const TRACKING_LABEL = "workspace-backfill";
const INSTALLATION_ID = 4_242_001;
const account = { login: "acme", id: 9_000_001 };
const mona = { login: "mona", id: 9_000_002 };
const repositories = [
  { id: 8_100_001, owner: "acme", name: "widgets" },
  { id: 8_100_002, owner: "acme", name: "gadgets" },
  { id: 8_100_003, owner: "acme", name: "docs" },
];
/** Years of stars for the simulated GitHub's star history. */
const histories = [
  { owner: "acme", name: "widgets", ageDays: 3 * 365 + 40, starsPerDay: 9 },
  { owner: "acme", name: "gadgets", ageDays: 2 * 365, starsPerDay: 4 },
  { owner: "acme", name: "docs", ageDays: 250, starsPerDay: 1 },
];
const COMMAND = "/backfill all";

const started = Date.now();
const deadline = started + DEADLINE_MS;
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line = "") => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  say("Workspace Backfill demo");
  say("GitHub is SIMULATED here, on 127.0.0.1: no network, no credentials.");
  say("The app is the real server (node dist/src/main.js, as `npm start` runs it) on an");
  say("embedded database in a temporary directory, with no gh-datapipe key: the path a new");
  say("user gets, where GitHub's own star history and fork list are the source.");
  say();

  if (buildApp(root)) say(`built the app (${seconds()})`);
  const workDir = mkdtempSync(join(tmpdir(), "workspace-backfill-demo-"));
  const github = new FakeGitHub();
  let server: AppServer | undefined;
  try {
    for (const repo of repositories) github.addRepo(repo);
    const seeded = seedDemoHistory(github, histories);
    say(
      `simulated GitHub's star history: ${seeded.map((r) => `${r.fullName} ${r.stars} stars, ${r.forks} forks`).join("; ")}`,
    );
    github.setPermission(mona.login, "write");
    const githubHost = await github.listen();
    const secret = randomBytes(16).toString("hex");
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const port = await freePort();
    server = await startAppServer({
      root,
      workDir,
      deadline,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: workDir,
        NODE_ENV: "production",
        APP_ID: "12345",
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: secret,
        GHE_HOST: githubHost,
        GHE_PROTOCOL: "http",
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: process.env.DEMO_LOG_LEVEL ?? "warn",
        DATA_DIR: join(workDir, "data"),
        DEMO_DATAPIPE_STATE: join(workDir, "datapipe-jobs.json"),
      },
    });
    say(`app server up at ${server.url}, simulated GitHub at http://${githubHost} (${seconds()})`);
    const webhooks = `${server.url}/api/github/webhooks`;

    say();
    say(
      `1. ${account.login} installs the app on ${repositories.map((r) => `${r.owner}/${r.name}`).join(", ")}`,
    );
    await deliverWebhook({
      url: webhooks,
      secret,
      event: "installation",
      payload: installationCreated({
        installationId: INSTALLATION_ID,
        account,
        sender: mona,
        repositories,
      }),
    });
    const tracking = await waitFor(
      "the tracking issue",
      () => {
        for (const [repo, issues] of github.issues) {
          const issue = issues.find((i) => i.labels.includes(TRACKING_LABEL) && i.state === "open");
          if (issue) return { repo, issue };
        }
        return null;
      },
      { deadline },
    );
    const firstCheck = await waitFor(
      "the automatic back-fill to finish (its check run completed)",
      () => latestCheckRun(github, (c) => c.status === "completed"),
      { deadline },
    );
    say(
      `   automatic back-fill done: check run ${firstCheck.conclusion}, tracking issue ${tracking.repo}#${tracking.issue.number} "${tracking.issue.title}" (${seconds()})`,
    );
    const [trackingOwner, trackingName] = tracking.repo.split("/") as [string, string];
    const installRun = await waitFor(
      "the automatic back-fill's results",
      () =>
        github
          .commentsOn(trackingOwner, trackingName, tracking.issue.number)
          .find((c) => c.body.includes("### Results")),
      { deadline },
    );
    for (const row of tableRows(installRun.body).slice(0, repositories.length)) {
      say(`   ${row}`);
    }

    say();
    say(
      `2. @${mona.login} (write permission) comments "${COMMAND}" on ${tracking.repo}#${tracking.issue.number}`,
    );
    const [owner, name] = tracking.repo.split("/") as [string, string];
    const trackingRepo = repositories.find(
      (r) => `${r.owner}/${r.name}`.toLowerCase() === tracking.repo,
    )!;
    const before = new Set(github.comments.keys());
    const checkBefore = latestCheckRun(github, () => true);
    const commentId = 9_900_001;
    github.comments.set(commentId, {
      id: commentId,
      repo: tracking.repo,
      issueNumber: tracking.issue.number,
      body: COMMAND,
      user: mona.login,
      edits: 0,
    });
    const asked = Date.now();
    await deliverWebhook({
      url: webhooks,
      secret,
      event: "issue_comment",
      payload: issueCommentCreated({
        installationId: INSTALLATION_ID,
        repository: trackingRepo,
        issue: {
          number: tracking.issue.number,
          title: tracking.issue.title,
          labels: tracking.issue.labels,
        },
        comment: { id: commentId, body: COMMAND },
        sender: mona,
      }),
    });
    const finalReaction = await waitFor(
      "the run to end (🚀 or 😕 on the command)",
      () => github.reactionsOn(commentId).find((r) => r === "rocket" || r === "confused"),
      { deadline },
    );
    const progress = await waitFor(
      "the progress comment's results",
      () =>
        github
          .commentsOn(owner, name, tracking.issue.number)
          .filter((c) => !before.has(c.id) && c.user !== mona.login)
          .find((c) => c.body.includes("### Results")),
      { deadline },
    );
    const check = await waitFor(
      "the check run to complete",
      () =>
        latestCheckRun(
          github,
          (c) =>
            c.status === "completed" &&
            (checkBefore === undefined ||
              c.id !== checkBefore.id ||
              c.updates > checkBefore.updates),
        ),
      { deadline },
    );
    say(
      `   run ended ${finalReaction === "rocket" ? "🚀" : "😕"} ${((Date.now() - asked) / 1000).toFixed(1)} s after the comment (${seconds()})`,
    );
    say();

    const historyCalls = github.requests.filter((r) => r.path.endsWith("/stargazers/history"));
    const forkCalls = github.requests.filter((r) => r.path.endsWith("/forks"));
    printResults({
      say,
      command: COMMAND,
      reactions: github.reactionsOn(commentId),
      progress,
      check,
      behindTheScenes:
        `Behind the scenes: ${github.requests.length} requests from the app to the simulated GitHub API, ` +
        `${historyCalls.length} of them star-history pages and ${forkCalls.length} fork pages; no gh-datapipe.`,
    });
    if (process.env.DEMO_TRACE) {
      say();
      for (const r of github.requests)
        say(`${((r.at - started) / 1000).toFixed(2)} s  ${r.method} ${r.path}`);
    }
    say();
    await writeEmbeds({ say, base: server.url, repository: "acme/widgets" });
    say();
    say(`Demo finished in ${seconds()}.`);
    if (finalReaction !== "rocket")
      throw new Error(`the ${COMMAND} run did not complete every repository`);
  } catch (err) {
    if (server) {
      const log = server.log().trim().split("\n").slice(-30).join("\n");
      if (log) process.stderr.write(`\n--- app server log (last lines) ---\n${log}\n`);
    }
    const calls = github.calls().slice(-15).join("\n");
    if (calls) process.stderr.write(`\n--- last requests to the simulated GitHub ---\n${calls}\n`);
    throw err;
  } finally {
    await server?.stop();
    await github.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

type FakeCheckRun = FakeGitHub["checkRuns"] extends Map<number, infer C> ? C : never;

function latestCheckRun(github: FakeGitHub, accept: (c: FakeCheckRun) => boolean) {
  const runs = [...github.checkRuns.values()].filter((c) => c.name === "Workspace backfill");
  const latest = runs.at(-1);
  return latest && accept(latest) ? latest : undefined;
}

const timer = setTimeout(() => {
  process.stderr.write(`demo failed: still not done after ${DEADLINE_MS / 1000} s\n`);
  process.exit(1);
}, DEADLINE_MS + 10_000);
timer.unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
