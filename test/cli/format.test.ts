import test from 'ava';
import { Chalk } from 'chalk';
import { clusterTable } from '../../cli/cluster-table.js';
import { nodeOptions } from '../../cli/commands/node.js';
import { filters } from '../../cli/commands/query.js';
import { explicitUrls, keyValues, output } from '../../cli/context.js';
import { entryLine, errorLine, eventLine } from '../../cli/format.js';
import { main } from '../../cli/main.js';
import { LogClusterError } from '../../lib/index.js';

const plain = new Chalk({ level: 0 });
const global = { json: false, color: true, verbose: false };

test('errorLine is one line with the stable code', (t) => {
  t.is(
    errorLine(new LogClusterError('UNKNOWN_NODE', 'no node named "x"')),
    'error UNKNOWN_NODE: no node named "x"',
  );
  t.is(errorLine(new Error('boom')), 'error INTERNAL: boom');
  t.is(errorLine('weird'), 'error INTERNAL: weird');
});

test('entries and events print on one line', (t) => {
  const line = entryLine(plain, {
    timestamp: '2024-05-01T10:00:00.000Z',
    original_data: { message: 'disk full', level: 'error', source: 'db', labels: { host: 'a' } },
  });
  t.is(line, '2024-05-01T10:00:00.000Z ERROR [db] disk full host=a');
  t.is(
    eventLine(plain, 'node-down', { id: 'node2', reason: 'timeout', detail: 'no answer', at: 0 }),
    '00:00:00.000 node-down   node2 (timeout: no answer)',
  );
  t.regex(
    eventLine(plain, 'leader-change', { leaderId: 'node3', previousLeaderId: 'node1', term: 4, at: 0 }),
    /leader +node3 \(term 4\)/,
  );
  t.regex(
    eventLine(plain, 'leader-change', { leaderId: null, previousLeaderId: 'node1', term: 4, at: 0 }),
    /election in progress \(was node1\)/,
  );
  t.regex(
    eventLine(plain, 'degraded', {
      down: ['node1', 'node2'],
      votersUp: 1,
      votersTotal: 3,
      quorum: false,
      at: 0,
    }),
    /down: node1, node2; voters up 1\/3, NO QUORUM/,
  );
});

test('the cluster table shows roles, kinds and the leader', (t) => {
  const text = clusterTable(plain, {
    leader: 'node1',
    term: 2,
    nodes: [
      {
        id: 'node1',
        url: 'u1',
        role: 'leader',
        term: 2,
        leader_id: 'node1',
        commit_index: 5,
        applied_index: 5,
        health: 'healthy',
        voter: true,
        pid: 10,
        process: 'running',
      },
      {
        id: 'node4',
        url: 'u4',
        role: 'follower',
        term: 2,
        leader_id: 'node1',
        commit_index: 5,
        applied_index: 5,
        health: 'healthy',
        voter: false,
        pid: 11,
        process: 'paused',
      },
      {
        id: 'node2',
        url: 'u2',
        role: null,
        term: null,
        leader_id: null,
        commit_index: null,
        applied_index: null,
        health: 'unreachable',
        voter: true,
        pid: null,
        process: 'gone',
      },
    ],
  });
  t.regex(text, /node1 .*leader .*voter/);
  t.regex(text, /node4 .*learner .*11 \(paused\)/);
  t.regex(text, /node2 .*unreachable/);
  t.regex(text, /leader: node1 {2}term: 2/);
});

test('key=value flags parse, and a malformed one names the flag', (t) => {
  t.deepEqual(keyValues('--peers', ['b=http://h:1,c=http://h:2']), { b: 'http://h:1', c: 'http://h:2' });
  const error = t.throws(() => keyValues('--label', ['novalue']));
  t.regex(error!.message, /--label expects key=value pairs \(got "novalue"\)/);
});

test('--url accepts a comma list and rejects garbage', (t) => {
  t.deepEqual(explicitUrls({ ...global, url: 'http://a:1/, http://b:2' }), ['http://a:1', 'http://b:2']);
  t.throws(() => explicitUrls({ ...global, url: 'a:1' }), { message: /--url must be http\(s\) URLs/ });
});

test('query flags become a LogQuery', (t) => {
  t.deepEqual(
    filters({ ...global, level: 'error,fatal', minLevel: undefined, label: ['host=a'], contains: 'x' }),
    {
      level: ['error', 'fatal'],
      labels: { host: 'a' },
      contains: 'x',
    },
  );
});

test('node options come from flags first, then LOGCLUSTER_* env', (t) => {
  const options = nodeOptions(
    { ...global, id: 'a', peers: ['b=http://10.0.0.2:5001'], dataDir: '/d' },
    { LOGCLUSTER_PORT: '6000', LOGCLUSTER_NODE_ID: 'ignored', LOGCLUSTER_VOTERS: 'a,b' },
  );
  t.like(options, {
    id: 'a',
    port: 6000,
    dataDir: '/d',
    peers: { b: 'http://10.0.0.2:5001' },
    voters: ['a', 'b'],
  });
  t.throws(() => nodeOptions({ ...global, dataDir: '/d' }, {}), { message: /node needs --id/ });
  t.throws(() => nodeOptions({ ...global, id: 'a', dataDir: '/d' }, { LOGCLUSTER_PORT: 'x' }), {
    message: /--port must be an integer/,
  });
  const retained = nodeOptions(
    { ...global, id: 'a', dataDir: '/d', retentionMaxBytes: 1_000_000 },
    { LOGCLUSTER_RETENTION_MAX_AGE_MS: '86400000', LOGCLUSTER_RETENTION_MAX_BYTES: '5' },
  );
  t.like(retained, { retentionMs: 86_400_000, retentionBytes: 1_000_000 });
  t.throws(
    () => nodeOptions({ ...global, id: 'a', dataDir: '/d' }, { LOGCLUSTER_RETENTION_MAX_BYTES: '1GB' }),
    {
      message: /--retention-max-bytes must be an integer/,
    },
  );
});

test('NO_COLOR and --no-color turn color off', (t) => {
  const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
  try {
    process.env.FORCE_COLOR = '1';
    delete process.env.NO_COLOR;
    t.is(output({ ...global }).color.level, 1);
    t.is(output({ ...global, color: false }).color.level, 0);
    process.env.NO_COLOR = '1';
    t.is(output({ ...global }).color.level, 0);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

/** Runs main() capturing stderr. */
async function runMain(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test.serial('usage mistakes are one line with exit code 2', async (t) => {
  const unknown = await runMain(['frobnicate']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /^error USAGE: .*\(see --help\)\n$/);
  const missing = await runMain(['read']);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /Not enough non-option arguments/);
  const badMode = await runMain(['fail', 'node1', '--mode', 'explode']);
  t.is(badMode.code, 2);
  t.regex(badMode.stderr, /Invalid values/);
});

test.serial(
  'a command error prints its code and exits with the registry code; --verbose adds the stack',
  async (t) => {
    const quiet = await runMain(['status', '--data-dir', '/nonexistent/lc-test']);
    t.is(quiet.code, 3);
    t.is(quiet.stderr.split('\n').filter(Boolean).length, 1);
    t.regex(quiet.stderr, /^error NOT_RUNNING: no cluster is running in \/nonexistent\/lc-test/);
    const verbose = await runMain(['status', '--data-dir', '/nonexistent/lc-test', '--verbose']);
    t.regex(verbose.stderr, /\n {4}at /);
  },
);
