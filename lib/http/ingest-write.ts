/**
 * The common tail of the ingestion routes (Loki push, OTLP logs): validate every mapped entry
 * exactly as POST /write does, refusing the whole request on the first invalid one (nothing is
 * stored), then write them through the node's normal write path in consensus rounds of at most
 * BATCH_ENTRIES_MAX. Each round is acknowledged only when fsynced on a majority; when a later
 * round fails after earlier ones were stored, the client's retry is answered from the dedup
 * window, because the mappers give every entry a deterministic id.
 */

import { isLogClusterError, LogClusterError } from '../errors.js';
import type { IngestItem } from '../integrations/ingest-item.js';
import { BATCH_ENTRIES_MAX } from '../node/entries/limits.js';
import { type ValidEntry, validateEntry } from '../node/entries/validate.js';
import type { ApiContext } from './context.js';
import type { WriteResult } from './service.js';

/** Validates all items (all or nothing), naming the item at fault with its protocol position. */
export function validateItems(items: readonly IngestItem[]): ValidEntry[] {
  return items.map((item) => {
    try {
      return validateEntry(item.raw);
    } catch (error) {
      if (!isLogClusterError(error)) throw error;
      const field =
        typeof error.details.field === 'string' ? `${item.where}.${error.details.field}` : item.where;
      throw new LogClusterError(error.code, `${item.where}: ${error.message}`, {
        ...error.details,
        ...item.hints,
        field,
      });
    }
  });
}

/** Writes validated entries in order, BATCH_ENTRIES_MAX per consensus round; resolves with every result. */
export async function writeInRounds(api: ApiContext, entries: readonly ValidEntry[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (let start = 0; start < entries.length; start += BATCH_ENTRIES_MAX) {
    results.push(...(await api.service.write(entries.slice(start, start + BATCH_ENTRIES_MAX))));
  }
  return results;
}
