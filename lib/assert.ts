/**
 * Kind 1 failures of ARCHITECTURE.md: a broken invariant is a programmer error. `assert` throws an
 * AssertionError that nothing is meant to catch; the process crashes and the bug gets fixed.
 * A leaf module (no imports) so every layer, the pure consensus core included, may use it.
 */

/** A broken invariant. Deliberately not a LogClusterError: no handler should turn it into a reply. */
export class AssertionError extends Error {
  constructor(why: string) {
    super(`invariant broken: ${why}`);
    this.name = 'AssertionError';
  }
}

/** Throws an AssertionError saying `why` when `condition` is falsy. */
export function assert(condition: unknown, why: string): asserts condition {
  if (!condition) throw new AssertionError(why);
}
