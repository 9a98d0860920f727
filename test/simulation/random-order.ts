/** A seeded Fisher-Yates shuffle: the same Prng state always yields the same order. */
import type { Prng } from '../../lib/prng.js';

/** A shuffled copy of `items`. */
export function shuffle<T>(prng: Prng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
