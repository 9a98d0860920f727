/**
 * The leader's CPU per entry of a batched POST /write (100 entries, as `logcluster bench` sends),
 * stage by stage, in one process without sockets or disks: body parse, validation, encoding,
 * pending-write bookkeeping, apply and the reply. Each stage is reported in µs per entry and as
 * a ratio to JSON.parse of the same body, measured alongside (noise on a shared machine moves
 * both alike). Medians of ROUNDS rounds.
 *
 *   npm run bench:write-path
 */

import { median } from '../lib/bench/stats.js';
import { batchBody } from '../lib/bench/workload.js';
import { parseWriteBody } from '../lib/http/body.js';
import type { WriteResult } from '../lib/http/service.js';
import { writeReplyJson } from '../lib/http/write-reply.js';
import { encodeEntry, type IndexFields } from '../lib/node/entries/payload.js';
import { proposedFields } from '../lib/node/entries/proposed-fields.js';
import { filePathOf } from '../lib/node/entries/record.js';
import { type ValidEntry, validateEntries } from '../lib/node/entries/validate.js';
import { PendingWrites } from '../lib/node/pending-writes.js';
import { StateMachine } from '../lib/node/state-machine.js';

const ENTRIES = 100;
const ROUNDS = 7;
const BATCHES_PER_ROUND = 2_000;

const body = Buffer.from(batchBody(ENTRIES));
const context = { nodeId: 'node1', nowMs: Date.now() };
const machine = new StateMachine({ readEntry: () => undefined });
let nextIndex = 1;

/** µs per entry of `run` (one call handles one batch), median of ROUNDS rounds. */
function perEntry(run: () => unknown): number {
  for (let i = 0; i < BATCHES_PER_ROUND / 4; i++) run();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < BATCHES_PER_ROUND; i++) run();
    rounds.push(Number(process.hrtime.bigint() - start) / 1000 / BATCHES_PER_ROUND / ENTRIES);
  }
  return median(rounds);
}

const parsed = parseWriteBody('json', body);
const valid: ValidEntry[] = validateEntries(parsed.entries);

function encodeAll(entries: readonly ValidEntry[]): { payloads: Uint8Array[]; fields: IndexFields[] } {
  const payloads = new Array<Uint8Array>(entries.length);
  const fields = new Array<IndexFields>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    payloads[i] = encodeEntry(entries[i], context);
    fields[i] = proposedFields(entries[i], context);
  }
  return { payloads, fields };
}

function replyOf(entries: readonly ValidEntry[], first: number): string {
  const results = entries.map(
    (entry, i): WriteResult => ({
      file_path: filePathOf(first + i),
      id: entry.id,
      index: first + i,
      term: 1,
      leader_id: 'node1',
      replicas: 3,
      duplicate: false,
    }),
  );
  return writeReplyJson(results, true);
}

/** Pending bookkeeping and apply of one encoded batch, as the leader does once it commits. */
function commit(encoded: { payloads: Uint8Array[]; fields: IndexFields[] }, pending: PendingWrites): void {
  const first = nextIndex;
  nextIndex += ENTRIES;
  void pending.add(first, ENTRIES, 1, context.nowMs, encoded.fields);
  for (let i = 0; i < ENTRIES; i++) {
    const index = first + i;
    const result = machine.apply(index, 1, encoded.payloads[i], pending.fieldsOf(index, 1));
    pending.applied(index, 1, result);
  }
}

const pending = new PendingWrites();
const encoded = encodeAll(valid);
const stages: Array<[string, () => unknown]> = [
  ['JSON.parse of the body (baseline)', () => JSON.parse(body.toString('utf8'))],
  ['parse (parseWriteBody)', () => parseWriteBody('json', body)],
  ['validate (validateEntries, ids generated)', () => validateEntries(parsed.entries)],
  ['encode (encodeEntry + proposedFields)', () => encodeAll(valid)],
  ['pending + apply (dedup window, indexes)', () => commit(encoded, pending)],
  ['reply (results + writeReplyJson)', () => replyOf(valid, 1_000_000)],
  [
    'all of the above',
    () => {
      const entries = validateEntries(parseWriteBody('json', body).entries);
      commit(encodeAll(entries), pending);
      return replyOf(entries, nextIndex - ENTRIES);
    },
  ],
];

const results = stages.map(([name, run]) => [name, perEntry(run)] as const);
const baseline = results[0][1];
console.log(`leader CPU per entry of a ${ENTRIES}-entry batch (median of ${ROUNDS} rounds)`);
for (const [name, us] of results) {
  console.log(`${name.padEnd(46)} ${us.toFixed(3)} µs   ${(us / baseline).toFixed(2)}x JSON.parse`);
}
