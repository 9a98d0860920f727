/**
 * Bounded exponential backoff with jitter, shared by the peer transport's reconnects and the
 * client's retries. "Equal jitter": half the ceiling is guaranteed (so retries never hammer), the
 * other half random (so many clients or links that failed together do not retry in lockstep).
 */

/**
 * Milliseconds to wait before retry number `attempt` (1 = the first retry): uniformly random in
 * [c/2, c] where c = min(maxMs, baseMs * 2^(attempt-1)). `random` returns floats in [0, 1).
 */
export function backoffDelayMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
