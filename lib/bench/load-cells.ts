/**
 * The cells of the write, batch and read scenarios for each system under load: logcluster's
 * leader, the bare node:http ceiling and etcd's leader, all through their HTTP JSON APIs.
 */
import { type Cell, REQUEST_TIMEOUT_SEC } from './cells.js';
import { etcdPutBody, etcdRangeBody } from './etcd.js';
import type { HttpLoadJob } from './load-protocol.js';
import {
  BATCH_CONNECTIONS,
  BATCH_ENTRIES,
  MESSAGE_BYTES,
  READ_CONNECTIONS,
  WRITE_CONNECTIONS,
} from './options.js';
import type { BenchTarget, LoadScenario } from './report.js';
import { batchBody, writeBody } from './workload.js';

/** Where each system answers (null: not part of this run). */
export interface Origins {
  readonly logcluster: string | null;
  readonly bare: string | null;
  readonly etcd: string | null;
  /** Each system's server pids, for the CPU per request (a system absent: not measured). */
  readonly pids?: SystemPids;
}

/** Per system, its server processes' pids now (null: not known). */
export type SystemPids = Partial<Record<BenchTarget, () => readonly number[] | null>>;

/** Origins as run.ts fills them while systems start. */
export type MutableOrigins = { -readonly [K in keyof Origins]: Origins[K] } & { pids: SystemPids };

const JSON_HEADERS = { 'content-type': 'application/json' };

function cell(
  scenario: LoadScenario,
  target: BenchTarget,
  connections: number,
  request: Omit<HttpLoadJob, 'kind' | 'connections' | 'durationSec' | 'timeoutSec'>,
  pids: SystemPids | undefined,
  entriesPerRequest = 1,
): Cell {
  const targetPids = pids?.[target];
  return {
    scenario,
    target,
    connections,
    entriesPerRequest,
    ...(targetPids ? { pids: targetPids } : {}),
    job: (durationSec) => ({
      kind: 'http',
      connections,
      durationSec,
      timeoutSec: REQUEST_TIMEOUT_SEC,
      ...request,
    }),
  };
}

/** Single-entry writes at every WRITE_CONNECTIONS, interleaved by concurrency. */
export function writeCells(o: Origins): Cell[] {
  const body = writeBody();
  return WRITE_CONNECTIONS.flatMap((c) => [
    ...(o.logcluster
      ? [
          cell(
            'write',
            'logcluster',
            c,
            {
              origin: o.logcluster,
              method: 'POST',
              paths: ['/write'],
              body,
              headers: JSON_HEADERS,
            },
            o.pids,
          ),
        ]
      : []),
    ...(o.bare
      ? [
          cell(
            'write',
            'bare-http',
            c,
            {
              origin: o.bare,
              method: 'POST',
              paths: ['/write'],
              body,
              headers: JSON_HEADERS,
            },
            o.pids,
          ),
        ]
      : []),
    ...(o.etcd
      ? [
          cell(
            'write',
            'etcd',
            c,
            {
              origin: o.etcd,
              method: 'POST',
              paths: ['/v3/kv/put'],
              body: etcdPutBody(MESSAGE_BYTES),
              headers: JSON_HEADERS,
            },
            o.pids,
          ),
        ]
      : []),
  ]);
}

/** Batched writes of BATCH_ENTRIES entries a request (`pids`: logcluster's, for its CPU). */
export function batchCells(logcluster: string, pids?: SystemPids): Cell[] {
  const body = batchBody(BATCH_ENTRIES);
  return BATCH_CONNECTIONS.map((c) =>
    cell(
      'batch',
      'logcluster',
      c,
      { origin: logcluster, method: 'POST', paths: ['/write'], body, headers: JSON_HEADERS },
      pids,
      BATCH_ENTRIES,
    ),
  );
}

/**
 * Reads of the given entries by file_path (linearizable and local) on logcluster's leader, GETs of
 * the bare ceiling (same paths, a record-shaped reply), and etcd's linearizable range.
 */
export function readCells(o: Origins, filePaths: readonly string[]): Cell[] {
  const linearizable = filePaths.map((p) => `/read/${p}`);
  const local = filePaths.map((p) => `/read/${p}?consistency=local`);
  return READ_CONNECTIONS.flatMap((c) => [
    ...(o.logcluster
      ? [
          cell(
            'read-linearizable',
            'logcluster',
            c,
            {
              origin: o.logcluster,
              method: 'GET',
              paths: linearizable,
            },
            o.pids,
          ),
          cell('read-local', 'logcluster', c, { origin: o.logcluster, method: 'GET', paths: local }, o.pids),
        ]
      : []),
    ...(o.bare
      ? [cell('read-local', 'bare-http', c, { origin: o.bare, method: 'GET', paths: linearizable }, o.pids)]
      : []),
    ...(o.etcd
      ? [
          cell(
            'read-linearizable',
            'etcd',
            c,
            {
              origin: o.etcd,
              method: 'POST',
              paths: ['/v3/kv/range'],
              body: etcdRangeBody(),
              headers: JSON_HEADERS,
            },
            o.pids,
          ),
        ]
      : []),
  ]);
}
