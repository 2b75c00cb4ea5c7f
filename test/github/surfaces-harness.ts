/**
 * The GitHub surfaces through `probot.receive`: the real app over the real tables, GitHub's
 * fake answering through nock, the real engine over a source whose jobs the test ends
 * (`createTestEngine`).
 */
import type { Probot } from "probot";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { createApp } from "../../src/app.js";
import { readConfig } from "../../src/config.js";
import type { Db } from "../../src/db/index.js";
import type { Surfaces } from "../../src/github/register-surfaces.js";
import type { FakeGitHub } from "../fakes/fake-github.js";
import { createTestDb, resetDb } from "../helpers/db.js";
import { createTestEngine, type TestEngine } from "./test-engine.js";
import { INSTALLATION, seedTrackedWorkspace } from "./tracked-workspace.js";
import { routeGitHubToFake } from "./github-nock.js";
import { openApiTemplate } from "./openapi-routes.js";
import { createTestProbot as createSurfacesProbot, examplePayload } from "../helpers/probot.js";

// biome-ignore lint/suspicious/noExplicitAny: tests patch arbitrary fields of GitHub's example payloads
export type Payload = Record<string, any>;

export const COMMENT_ID = 492700400;
export const REPO_PATH = "/repos/Codertocat/Hello-World";

export let db: Db;
export let engine: TestEngine;
export let fake: FakeGitHub;
export let probot: Probot;
export let surfaces: Surfaces;
let delivery = 0;
const allCalls: { method: string; path: string }[] = [];

export async function setup(env: Record<string, string> = {}) {
  await engine?.stop();
  await resetDb(db);
  fake = await seedTrackedWorkspace(db);
  fake.setPermission("Codertocat", "admin");
  routeGitHubToFake(fake);
  engine = createTestEngine(db);
  const config = readConfig(env);
  probot = await createSurfacesProbot(
    createApp({
      db,
      config,
      engine,
      onSurfaces: (s) => {
        surfaces = s;
      },
    }),
  );
}

export async function send(name: string, payload: unknown, id = `delivery-${++delivery}`) {
  await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
  await surfaces.idle();
  return id;
}

/** The calls the fake saw since the last look, as `METHOD /path`. */
let seen = 0;
/** Forgets the calls so far (a new fake after `setup`). */
export function resetCalls(): void {
  seen = 0;
}
export function newCalls(): string[] {
  const calls = fake.requests.slice(seen);
  seen = fake.requests.length;
  allCalls.push(...calls);
  return calls.map((c) => `${c.method} ${c.path}`).filter((c) => !c.endsWith("/access_tokens"));
}

export function bodyOf(method: string, pathEnd: string): Record<string, unknown> {
  const r = [...fake.requests]
    .reverse()
    .find((q) => q.method === method && q.path.endsWith(pathEnd));
  if (!r) throw new Error(`no ${method} …${pathEnd}`);
  return r.body ?? {};
}

export function comment(body: string, patch: (p: Payload) => void = () => {}) {
  const p = examplePayload<Payload>("issue_comment", "created");
  p.installation = { id: INSTALLATION };
  p.issue.labels = [{ name: "workspace-backfill" }];
  p.comment.body = body;
  patch(p);
  return p;
}

export const replyPath = `POST ${REPO_PATH}/issues/1/comments`;
export const eyes = `POST ${REPO_PATH}/issues/comments/${COMMENT_ID}/reactions`;
export const permission = `GET ${REPO_PATH}/collaborators/Codertocat/permission`;
export const runStartCalls = [
  `POST ${REPO_PATH}/issues/1/comments`,
  `GET ${REPO_PATH}`,
  `GET ${REPO_PATH}/branches/main`,
  `POST ${REPO_PATH}/check-runs`,
  `GET ${REPO_PATH}/issues/1`,
  `PATCH ${REPO_PATH}/issues/1`,
];

/**
 * Registers the suite's hooks: one database per file, a fresh tracked workspace and app
 * before each test, and at the end a check that every call made was a route of GitHub's
 * REST description.
 */
export function surfacesSuite(): void {
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(async () => {
    // Every call made in this file is a route of GitHub's REST description.
    const unknown = allCalls.filter((c) => openApiTemplate(c.method, c.path) === null);
    expect(unknown).toEqual([]);
    await engine?.stop();
    await db?.close();
  });
  beforeEach(async () => {
    await setup();
    seen = 0;
  });
}
