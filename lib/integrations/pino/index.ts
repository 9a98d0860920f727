/**
 * `logcluster/pino`: a pino transport (on pino-abstract-transport) that ships every record to a
 * logcluster cluster through LogClusterClient, batched, retried with stable ids, bounded.
 *
 * ```js
 * const logger = pino({ transport: { target: 'logcluster/pino',
 *   options: { nodes: ['http://127.0.0.1:5001'], source: 'billing' } } });
 * ```
 *
 * In pino.transport's worker thread, the buffer is flushed when the logger ends or the process
 * exits (pino waits for the worker). Errors go to stderr: a worker cannot call back into the app.
 */

import { workerData } from 'node:worker_threads';
import build from 'pino-abstract-transport';
import type { LogEntryInput } from '../../client/types.js';
import {
  type ResolvedShipperOptions,
  resolveShipperOptions,
  type ShipperOptions,
} from '../shipping/options.js';
import { LogShipper } from '../shipping/shipper.js';
import { fromPino, type PinoConfig } from './map.js';

export type { ShipperOptions as PinoTransportOptions } from '../shipping/options.js';
export { fromPino, PINO_SOURCE_DEFAULT, type PinoConfig } from './map.js';

function report(error: Error, entries: readonly LogEntryInput[]): void {
  console.error(`logcluster/pino: ${entries.length} log entries not stored: ${error.message}`);
}

/** True when pino.transport started this worker and will send its configuration first. */
function pinoSendsConfig(): boolean {
  const data = workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null | undefined;
  return data?.workerData?.pinoWillSendConfig === true;
}

/** Builds the transport stream. Throws INVALID_OPTION for a bad option. */
export default async function logclusterPino(options: ShipperOptions) {
  // pino.transport adds its own keys (`$context`, `pinoWillSendConfig`): not ours to validate.
  const own = Object.fromEntries(
    Object.entries(options ?? {}).filter(([key]) => !key.startsWith('$') && key !== 'pinoWillSendConfig'),
  );
  const resolved: ResolvedShipperOptions = resolveShipperOptions(own as unknown as ShipperOptions);
  const shipper = new LogShipper(resolved, report);
  return build(
    async (source) => {
      const config = source as unknown as PinoConfig;
      for await (const record of source) {
        const wait = shipper.push(fromPino(record as Record<string, unknown>, resolved, config));
        if (wait !== undefined) await wait;
      }
    },
    {
      expectPinoConfig: pinoSendsConfig(),
      close: async () => {
        await shipper.close();
      },
    },
  );
}
