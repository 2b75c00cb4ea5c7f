import { parseFullName } from "../shared/full-name.js";
import { UsageError } from "./cli-io.js";

export interface CliRepository {
  owner: string;
  name: string;
  fullName: string;
}

/** `owner/name` arguments, each checked, duplicates (case-insensitive) dropped. */
export function parseRepositories(values: string[]): CliRepository[] {
  const seen = new Set<string>();
  const result: CliRepository[] = [];
  for (const value of values) {
    const match = parseFullName(value);
    if (!match) throw new UsageError(`"${value}" is not a repository: expected owner/name`);
    const key = value.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ ...match, fullName: value });
  }
  return result;
}

/** A whole number of days in [1, max]; `option` names the flag in the error. */
export function parseDays(value: string, max: number, option = "--days"): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${option} must be a whole number from 1 to ${max}, not "${value}"`);
  }
  return Number(value);
}

/** A workspace (installation) id: a whole number, 0 being the operator's workspace. */
export function parseWorkspaceId(value: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--workspace must be an installation id (a whole number), not "${value}"`);
  }
  return Number(value);
}
