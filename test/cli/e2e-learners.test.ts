import test from 'ava';
import { clusterFixture, json, requireBuild } from '../helpers/cli.js';
import { stopAndCheck, writeOne } from './fault-cycle.js';

test('5 nodes with replication factor 3: 3 voters, 2 learners, every node serves reads', async (t) => {
  if (!requireBuild(t)) return;
  const fx = await clusterFixture(t, 5);
  const started = await fx.run([
    'start',
    '--detach',
    '--base-port',
    String(fx.basePort),
    '--nodes',
    '5',
    '--replication-factor',
    '3',
  ]);
  t.is(started.exitCode, 0, started.stderr as string);
  const status = await fx.waitFor(
    (s) => s.leader !== null && s.nodes.every((n) => n.health === 'healthy'),
    5000,
    'all healthy',
  );
  t.deepEqual(
    status.nodes.map((n) => [n.id, n.voter]),
    [
      ['node1', true],
      ['node2', true],
      ['node3', true],
      ['node4', false],
      ['node5', false],
    ],
  );
  t.true(['node1', 'node2', 'node3'].includes(status.leader!), 'only a voter leads');
  const table = await fx.run(['status']);
  const kinds = String(table.stdout)
    .split('\n')
    .filter((line) => /│ node\d/.test(line))
    .map((line) => line.split('│')[4].trim());
  t.deepEqual(kinds, ['voter', 'voter', 'voter', 'learner', 'learner'], 'the kind column of the table');

  const written = await writeOne(t, fx, 'read me everywhere');
  for (const node of status.nodes) {
    const read = await fx.run(['read', written.file_path, '--json', '--url', node.url]);
    t.is(read.exitCode, 0, `${node.id} serves the read: ${read.stderr}`);
    t.is(json<{ original_data: { message: string } }>(read).original_data.message, 'read me everywhere');
  }
  await stopAndCheck(
    t,
    fx,
    status.nodes.map((n) => n.pid!),
    5,
  );
});
