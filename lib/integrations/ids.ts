/**
 * Deterministic entry ids for agents that retry whole requests (Loki, OTLP): the same record in a
 * retried request gets the same id, so the cluster's dedup window answers `duplicate` instead of
 * storing it twice. Identical records within one request stay distinct by their occurrence number.
 */

import { createHash } from 'node:crypto';

/** Hex digits of the sha256 kept in an id: 160 bits, far from any collision among stored entries. */
export const CONTENT_ID_HEX_DIGITS = 40;

/** Builds ids `<prefix>-<hash>[-<n>]` from content parts; the n-th repeat in one request gets `-n`. */
export class ContentIds {
  readonly #seen = new Map<string, number>();

  constructor(private readonly prefix: string) {}

  /** The id of one record, given the parts that identify it (joined unambiguously). */
  next(parts: readonly (string | Uint8Array)[]): string {
    const hash = createHash('sha256');
    for (const part of parts) {
      const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      hash.update(length);
      hash.update(bytes);
    }
    const base = `${this.prefix}-${hash.digest('hex').slice(0, CONTENT_ID_HEX_DIGITS)}`;
    const count = this.#seen.get(base) ?? 0;
    this.#seen.set(base, count + 1);
    return count === 0 ? base : `${base}-${count}`;
  }
}
