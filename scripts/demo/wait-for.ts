/** Polls `check` until it returns a value, or fails naming `what` at the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { deadline: number; intervalMs?: number },
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > options.deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
