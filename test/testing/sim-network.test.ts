import test from 'ava';
import { Prng } from '../../lib/prng.js';
import { SimNetwork } from '../../lib/testing/sim-network.js';

interface Msg {
  from: string;
  to: string;
  n: number;
}

const NODES = ['a', 'b', 'c'];

function drain(net: SimNetwork<Msg>, until: number): Array<[number, Msg]> {
  const out: Array<[number, Msg]> = [];
  for (;;) {
    const t = net.nextDeliveryTime();
    if (t === undefined || t > until) return out;
    const m = net.takeDue(t);
    if (m !== undefined) out.push([t, m]);
  }
}

test('delivers every message after its latency, in time order', (t) => {
  const net = new SimNetwork<Msg>(NODES, new Prng(1), { latencyMinUnits: 2, latencyMaxUnits: 5 });
  for (let n = 0; n < 50; n++) net.send({ from: 'a', to: 'b', n }, 10);
  const got = drain(net, 1000);
  t.is(got.length, 50);
  for (const [time] of got) t.true(time >= 12 && time <= 15);
  for (let i = 1; i < got.length; i++) t.true(got[i][0] >= got[i - 1][0]);
  t.is(net.stats.delivered, 50);
  t.true(net.stats.reordered > 0, 'jitter reorders messages on one link');
});

test('the same seed yields the same deliveries', (t) => {
  const run = (seed: number) => {
    const net = new SimNetwork<Msg>(NODES, new Prng(seed), {
      dropProbability: 0.2,
      duplicateProbability: 0.2,
      delayProbability: 0.2,
      delayMaxUnits: 50,
    });
    for (let n = 0; n < 200; n++) net.send({ from: NODES[n % 3], to: NODES[(n + 1) % 3], n }, n);
    return JSON.stringify(drain(net, 10_000));
  };
  t.is(run(7), run(7));
  t.not(run(7), run(8));
});

test('drops, duplicates and delays at the configured rates', (t) => {
  const net = new SimNetwork<Msg>(NODES, new Prng(3), {
    dropProbability: 0.25,
    duplicateProbability: 0.25,
    delayProbability: 0.5,
    delayMaxUnits: 100,
  });
  for (let n = 0; n < 4000; n++) net.send({ from: 'a', to: 'b', n }, 0);
  const got = drain(net, 1e9);
  const { dropped, duplicated, delayed } = net.stats;
  t.true(dropped > 800 && dropped < 1200, `dropped ${dropped}`);
  t.true(duplicated > 600 && duplicated < 900, `duplicated ${duplicated}`);
  t.true(delayed > 1600, `delayed ${delayed}`);
  t.is(got.length, 4000 - dropped + duplicated);
});

test('partitions cut links at send and at delivery; heal restores them', (t) => {
  const net = new SimNetwork<Msg>(NODES, new Prng(4));
  net.send({ from: 'a', to: 'b', n: 1 }, 0);
  net.partition(['a'], ['b', 'c']);
  net.send({ from: 'a', to: 'c', n: 2 }, 0);
  net.send({ from: 'c', to: 'a', n: 3 }, 0);
  net.send({ from: 'b', to: 'c', n: 4 }, 0);
  t.deepEqual(
    drain(net, 100).map(([, m]) => m.n),
    [4],
    'in-flight a>b lost at delivery, a<->c cut at send',
  );
  t.is(net.stats.cut, 3);
  net.heal();
  net.send({ from: 'a', to: 'b', n: 5 }, 200);
  t.deepEqual(
    drain(net, 1000).map(([, m]) => m.n),
    [5],
  );
});

test('one-way cuts and isolation', (t) => {
  const net = new SimNetwork<Msg>(NODES, new Prng(5));
  net.partition(['a'], ['b'], true);
  t.false(net.isLinked('a', 'b'));
  t.true(net.isLinked('b', 'a'));
  net.heal();
  net.isolate('c');
  t.is(net.cutCount, 4);
  t.false(net.isLinked('a', 'c'));
  t.false(net.isLinked('c', 'b'));
  t.true(net.isLinked('a', 'b'));
  net.heal(['a', 'c']);
  t.true(net.isLinked('a', 'c'));
  t.false(net.isLinked('b', 'c'));
});

test('a sender that loses power loses what it had in flight, not what it sends later', (t) => {
  const net = new SimNetwork<Msg>(NODES, new Prng(6), { latencyMinUnits: 5, latencyMaxUnits: 5 });
  net.send({ from: 'a', to: 'b', n: 1 }, 0);
  net.send({ from: 'c', to: 'b', n: 2 }, 0);
  net.loseInFlightFrom('a', 2);
  net.send({ from: 'a', to: 'b', n: 3 }, 3);
  t.deepEqual(
    drain(net, 100).map(([, m]) => m.n),
    [2, 3],
  );
  t.is(net.stats.lostWithSender, 1);
});
