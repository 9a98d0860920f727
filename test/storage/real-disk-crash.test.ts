/**
 * The real thing: a child process appends to a log on the real disk and prints every index whose
 * append resolved; it is killed with SIGKILL mid-stream; the reopened log must hold every printed
 * index, byte-identical. Twice, so the second run also recovers what the first kill left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { NodeFileSystem, SegmentedLog } from '../../lib/storage/index.js';
import { rec, sameRecord } from './helpers.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'append-until-killed.ts');
const SEGMENT_BYTES = 16 * 1024;
const PAYLOAD_BYTES = 200;
const ACKS_BEFORE_KILL = 1500;
const DEADLINE_MS = 60_000;

/** Runs the child until it has printed `acks` indexes, kills it, and returns the acknowledged indexes. */
function runAndKill(dir: string, acks: number, track: (c: ChildProcess) => void): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', FIXTURE, dir, String(SEGMENT_BYTES), String(PAYLOAD_BYTES)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    track(child);
    const acked: number[] = [];
    let pending = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no ${acks} acknowledgements within ${DEADLINE_MS} ms; stderr: ${stderr}`));
    }, DEADLINE_MS);
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (/^\d+$/.test(line)) acked.push(Number(line));
      if (acked.length >= acks && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child ended with ${code ?? signal}; stderr: ${stderr}`));
      else resolve(acked);
    });
  });
}

test('every append acknowledged before SIGKILL is on disk, byte-identical', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'logcluster-crash-'));
  const children: ChildProcess[] = [];
  t.teardown(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  let acknowledged: number[] = [];
  for (let round = 1; round <= 2; round++) {
    const acked = await runAndKill(dir, ACKS_BEFORE_KILL * round, (c) => children.push(c));
    acknowledged = acknowledged.concat(acked);
    const { log, report } = await SegmentedLog.open(new NodeFileSystem(), dir, {
      segmentBytesMax: SEGMENT_BYTES,
    });
    t.true(report.segments > 3, `segments rolled (${report.segments})`);
    t.true(acked.length >= ACKS_BEFORE_KILL * round);
    for (const index of acknowledged) {
      const got = log.read(index);
      if (!sameRecord(got, rec(index, 1, 0, PAYLOAD_BYTES)))
        t.fail(`acknowledged index ${index} is missing or differs`);
    }
    for (let i = log.firstIndex; i <= log.lastIndex; i++) {
      if (!sameRecord(log.read(i), rec(i, 1, 0, PAYLOAD_BYTES)))
        t.fail(`index ${i} holds a record never written`);
    }
    t.log(
      `round ${round}: ${acked.length} acknowledged, ${log.lastIndex} stored, tail ${JSON.stringify(report.truncatedTail)}`,
    );
    await log.close();
  }
  t.pass();
});
