/**
 * Flush on exit for transports running on the main thread (winston). Two cases:
 * - the event loop empties ('beforeExit'): the buffer is flushed asynchronously, within
 *   closeTimeoutMs, and the process then exits as it meant to;
 * - process.exit() ('exit'): no asynchronous work can run any more, so the unacknowledged
 *   entries (the in-flight batch included, with the same ids: a duplicate is answered as such)
 *   are handed to a short-lived child process that delivers them while this one waits
 *   synchronously, at most closeTimeoutMs.
 */

import { spawnSync } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogEntryInput } from '../../client/types.js';
import type { ResolvedShipperOptions } from './options.js';
import type { LogShipper } from './shipper.js';

/** What the exit-time child reads on stdin. */
export interface ExitFlushJob {
  readonly nodes: readonly string[];
  readonly token?: string;
  readonly timeoutMs: number;
  readonly batchSize: number;
  readonly entries: readonly LogEntryInput[];
}

const here = fileURLToPath(import.meta.url);
/** The child script beside this module (.ts when run from source through tsx, .js when built). */
const CHILD_SCRIPT = fileURLToPath(new URL(`./exit-flush-child${extname(here)}`, import.meta.url));

/** Delivers `entries` from a child process, blocking until it is done; true when all were acknowledged. */
export function deliverSync(options: ResolvedShipperOptions, entries: readonly LogEntryInput[]): boolean {
  const job: ExitFlushJob = {
    nodes: options.nodes,
    ...(options.token === undefined ? {} : { token: options.token }),
    timeoutMs: options.closeTimeoutMs,
    batchSize: options.batchSize,
    entries,
  };
  // Keep loaders (--import tsx) but not the inspector, whose port the exiting process still holds.
  const execArgv = process.execArgv.filter((arg) => !/^--(inspect|debug)/.test(arg));
  const result = spawnSync(process.execPath, [...execArgv, CHILD_SCRIPT], {
    input: JSON.stringify(job),
    stdio: ['pipe', 'ignore', 'inherit'],
    timeout: options.closeTimeoutMs + 2_000,
    maxBuffer: 1024 * 1024,
  });
  return result.status === 0;
}

/** Installs both hooks for `shipper`; returns the function that removes them. */
export function installExitFlush(
  shipper: LogShipper,
  options: ResolvedShipperOptions,
  onLost: (count: number) => void,
): () => void {
  let draining = false;
  const onBeforeExit = (): void => {
    if (shipper.pending === 0 || draining) return;
    draining = true;
    void shipper.drain(options.closeTimeoutMs).finally(() => {
      draining = false;
    });
  };
  const onExit = (): void => {
    if (shipper.pending === 0) return;
    const entries = shipper.unacknowledged();
    shipper.discard();
    if (!deliverSync(options, entries)) onLost(entries.length);
  };
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
  return () => {
    process.off('beforeExit', onBeforeExit);
    process.off('exit', onExit);
  };
}
