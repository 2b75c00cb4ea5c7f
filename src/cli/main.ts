#!/usr/bin/env node
import { existsSync } from "node:fs";
import { createEngine } from "../backfill/index.js";
import { runCli } from "./run-cli.js";
import { withGitHubHistory } from "./with-github-history.js";

// The same `.env` as `npm start` reads, when there is one.
if (existsSync(".env")) process.loadEnvFile(".env");

process.exitCode = await runCli(
  process.argv.slice(2),
  { env: process.env, stdout: process.stdout, stderr: process.stderr },
  { createEngine: await withGitHubHistory(process.env, createEngine) },
);
