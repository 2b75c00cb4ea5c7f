import { STATUS_CODES } from "node:http";

/**
 * A read of GitHub's figures that cannot succeed (contract §4b); the message is the text
 * the repository's row shows: `GitHub history unavailable: 404 Not Found`.
 */
export class HistoryError extends Error {
  override name = "HistoryError";
  constructor(
    readonly status: number | null,
    reason: string,
  ) {
    super(`GitHub history unavailable: ${status === null ? reason : `${status} ${reason}`}`);
  }

  static fromStatus(status: number): HistoryError {
    return new HistoryError(status, STATUS_CODES[status] ?? "Unexpected answer");
  }
}
