import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  ETCD_BENCH_KEY,
  EtcdCluster,
  etcdPutBody,
  etcdRangeBody,
  etcdVersion,
  findEtcd,
} from '../../lib/bench/etcd.js';
import { JsonHttp } from '../../lib/bench/http.js';

const bin = findEtcd();
const withEtcd = bin ? test : test.skip;

test('findEtcd: an explicit path that is not executable is not found', (t) => {
  t.is(findEtcd('/nonexistent/etcd'), null);
});

withEtcd(
  'a 3-member etcd elects a leader, takes puts and linearizable ranges, and is gone after stop',
  async (t) => {
    t.regex(etcdVersion(bin!), /^\d+\.\d+/);
    const dir = await mkdtemp(join(tmpdir(), 'lc-etcd-'));
    const http = new JsonHttp();
    const etcd = await EtcdCluster.start(bin!, dir);
    try {
      const leader = await etcd.leaderUrl(10_000);
      t.true(etcd.clientUrls.includes(leader));
      const put = await http.call('POST', `${leader}/v3/kv/put`, etcdPutBody(200), 5_000);
      t.is(put.status, 200, JSON.stringify(put.body));
      const range = await http.call('POST', `${leader}/v3/kv/range`, etcdRangeBody(), 5_000);
      const kv = (range.body as { kvs: { key: string; value: string }[] }).kvs[0];
      t.is(Buffer.from(kv.key, 'base64').toString(), ETCD_BENCH_KEY);
      t.is(Buffer.from(kv.value, 'base64').length, 200);
    } finally {
      http.close();
      await etcd.stop();
      await rm(dir, { recursive: true, force: true });
    }
    const after = await new JsonHttp().call('POST', `${etcd.clientUrls[0]}/v3/maintenance/status`, {}, 1_000);
    t.is(after.status, 0);
  },
);
