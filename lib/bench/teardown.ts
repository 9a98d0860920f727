/**
 * Everything a benchmark run starts registers its undo here; close() runs them newest first,
 * each bounded in time, exactly once, whether the run ended, failed or was interrupted.
 */

/** One undo step may take this long (a graceful cluster stop takes up to ~6 s) before it is abandoned. */
export const TEARDOWN_STEP_TIMEOUT_MS = 20_000;

/** A stack of undo steps. */
export class Teardown {
  readonly #steps: { name: string; run: () => Promise<void> }[] = [];
  #closing: Promise<string[]> | null = null;

  /** Registers an undo step; the returned function runs it early (and removes it from the stack). */
  defer(name: string, run: () => Promise<void>): () => Promise<void> {
    const step = { name, run };
    this.#steps.push(step);
    return async () => {
      const at = this.#steps.indexOf(step);
      if (at < 0) return;
      this.#steps.splice(at, 1);
      await bounded(step);
    };
  }

  /** True once close() has been called: no new work should start. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Runs every remaining step, newest first; resolves with the failures' descriptions. Idempotent. */
  close(): Promise<string[]> {
    this.#closing ??= (async () => {
      const failures: string[] = [];
      while (this.#steps.length > 0) {
        const step = this.#steps.pop()!;
        try {
          await bounded(step);
        } catch (error) {
          failures.push(`${step.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return failures;
    })();
    return this.#closing;
  }
}

async function bounded(step: { name: string; run: () => Promise<void> }): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not finish within ${TEARDOWN_STEP_TIMEOUT_MS} ms`)),
      TEARDOWN_STEP_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([step.run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
