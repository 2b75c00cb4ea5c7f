import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate, openDb } from "../src/db/index.js";

/**
 * On real Postgres, migrates one template database per test run; each test file clones it
 * (`create database … template …`), which is much faster than migrating per file.
 */
export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const name = `wbb_template_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: target.toString(), dataDir: "unused", max: 1 });
  await migrate(db);
  await db.close();
  project.provide("templateDb", name);
  return async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
  }
}
