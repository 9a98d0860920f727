import test from 'ava';
import { nodeOptions } from '../../cli/commands/node.js';
import { resolveClusterConfig } from '../../lib/cluster/config.js';
import { resolveShipperOptions } from '../../lib/integrations/shipping/options.js';
import { resolveNodeOptions } from '../../lib/node/options.js';

// How the syslog port and the transports' options are given and validated.

test('logcluster node --syslog-port / LOGCLUSTER_SYSLOG_PORT reach the node options', (t) => {
  const base = { id: 'a', dataDir: '/tmp/x' };
  t.is(nodeOptions({ ...base, syslogPort: 5514 } as never, {}).syslogPort, 5514);
  t.is(nodeOptions(base as never, { LOGCLUSTER_SYSLOG_PORT: '6514' }).syslogPort, 6514);
  t.is(nodeOptions(base as never, {}).syslogPort, undefined);
  t.throws(() => nodeOptions(base as never, { LOGCLUSTER_SYSLOG_PORT: 'x' }), { message: /--syslog-port/ });
  t.is(resolveNodeOptions({ id: 'a', port: 0, dataDir: '/tmp/x' }).syslogPort, null);
  t.throws(() => resolveNodeOptions({ id: 'a', port: 0, dataDir: '/tmp/x', syslogPort: 70_000 }), {
    message: /option syslogPort/,
  });
});

test('the config file key syslogPort is validated and resolved', (t) => {
  const layer = (values: object) => ({ origin: 'file' as const, label: 'c.json', baseDir: '/tmp', values });
  t.is(resolveClusterConfig([layer({ syslogPort: 5514 })]).syslogPort, 5514);
  t.is(resolveClusterConfig([layer({})]).syslogPort, null);
  t.throws(() => resolveClusterConfig([layer({ syslogPort: 'x' })]), { message: /syslogPort/ });
  t.throws(() => resolveClusterConfig([layer({ syslogPort: 65535, nodes: 3 })]), { message: /no room/ });
});

test('transport options: defaults, bounds, unknown names, the token never echoed', (t) => {
  const resolved = resolveShipperOptions({ nodes: 'http://a:1, http://b:2' });
  t.deepEqual(resolved.nodes, ['http://a:1', 'http://b:2']);
  t.is(resolved.batchSize, 100);
  t.is(resolved.bufferMax, 10_000);
  t.throws(() => resolveShipperOptions({ nodes: [] }), { message: /option nodes/ });
  t.throws(() => resolveShipperOptions({ nodes: 'http://a:1', batchSize: 5000 }), { message: /batchSize/ });
  t.throws(() => resolveShipperOptions({ nodes: 'http://a:1', bufferMax: 0 }), { message: /bufferMax/ });
  t.throws(() => resolveShipperOptions({ nodes: 'http://a:1', nope: 1 } as never), {
    message: /option nope/,
  });
  const error = t.throws(() =>
    resolveShipperOptions({ nodes: 'http://a:1', token: 'secret', bogus: 1 } as never),
  );
  t.false(error!.message.includes('secret'));
});
