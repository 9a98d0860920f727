/**
 * A small randomized soak of the core alone (the full simulator with the real storage lives in
 * test/simulation): random delivery order, drops, duplicates, partitions, crashes (most of them
 * reported to the survivors as unreachable) and restarts, wrong unreachable reports,
 * proposals, reads, compaction and membership changes; safety checked after every step and
 * liveness after healing.
 */
import test from 'ava';
import type { PlantedBugs } from '../../lib/consensus/index.js';
import type { Entry } from '../../lib/consensus/types.js';
import { Prng } from '../../lib/prng.js';
import { dec, TestCluster } from './helpers/cluster.js';

const SEEDS = Number(process.env.CHAOS_SEEDS ?? 60);
const STEPS = 1500;

interface Checker {
  readonly applied: Map<number, string>;
  readonly leaders: Map<number, string>;
  /** Per node: the applied array last checked and how much of it was. */
  readonly seen: Map<string, { list: Entry[]; checked: number }>;
}

function key(e: Entry): string {
  return `${e.term}/${e.type}/${dec(e.data)}`;
}

function check(c: TestCluster, k: Checker): void {
  for (const node of c.nodes.values()) {
    let seen = k.seen.get(node.id);
    if (seen === undefined || seen.list !== node.applied) {
      seen = { list: node.applied, checked: 0 };
      k.seen.set(node.id, seen);
    }
    for (const e of node.applied.slice(seen.checked)) {
      const seen = k.applied.get(e.index);
      if (seen !== undefined && seen !== key(e))
        throw new Error(`${node.id} applied ${key(e)} at ${e.index}, another applied ${seen}`);
      k.applied.set(e.index, key(e));
    }
    seen.checked = node.applied.length;
    const s = node.raft.status();
    if (s.role === 'leader') {
      const other = k.leaders.get(s.term);
      if (other !== undefined && other !== node.id)
        throw new Error(`two leaders in term ${s.term}: ${other}, ${node.id}`);
      k.leaders.set(s.term, node.id);
    }
  }
}

function chaosRun(
  seed: number,
  voters: string[],
  bugs: PlantedBugs = {},
): { elections: number; applied: number } {
  const rng = new Prng(seed);
  const c = new TestCluster({
    voters,
    seed,
    options: {
      maxInflightAppends: 4,
      maxAppendBytes: 64,
      // Every third seed runs without PreVote, every fourth without CheckQuorum.
      preVote: seed % 3 !== 0,
      checkQuorum: seed % 4 !== 0,
      heartbeatTicks: 1 + (seed % 2),
      bugs,
    },
  });
  // Every other seed persists asynchronously: ticks and messages keep arriving between ready() and advance().
  c.asyncPersist = seed % 2 === 1;
  const k: Checker = { applied: new Map(), leaders: new Map(), seen: new Map() };
  let proposals = 0;
  const deliverOne = () => {
    if (c.queue.length === 0) return;
    const m = c.queue.splice(rng.nextInt(c.queue.length), 1)[0];
    const to = c.nodes.get(m.to);
    if (to?.up && c.nodes.get(m.from)?.up && c.filter(m)) to.raft.step(m);
  };
  let partition: Set<string> | null = null;
  c.filter = (m) => partition === null || partition.has(m.from) === partition.has(m.to);
  for (let step = 0; step < STEPS; step++) {
    if (c.asyncPersist && rng.chance(0.5)) c.completePersist(rng.pick(voters));
    const roll = rng.nextInt(100);
    if (roll < 40) {
      for (let n = 1 + rng.nextInt(8); n > 0; n--) deliverOne();
    } else if (roll < 48) {
      c.queue.splice(rng.nextInt(Math.max(1, c.queue.length)), 1);
    } else if (roll < 52) {
      if (c.queue.length > 0) c.queue.push(c.queue[rng.nextInt(c.queue.length)]);
    } else if (roll < 70) {
      for (const node of c.nodes.values()) {
        if (node.up) node.raft.tick();
      }
    } else if (roll < 85) {
      const leader = c.leader();
      if (leader !== undefined) c.propose(leader.id, `s${seed}p${proposals++}`);
    } else if (roll < 88) {
      partition = new Set(voters.filter(() => rng.chance(0.5)));
    } else if (roll < 91) {
      partition = null;
    } else if (roll < 93) {
      const node = rng.pick([...c.nodes.values()]);
      if (node.up) {
        c.crash(node.id);
        // Most crashes are kills the survivors' transports notice (Raft.reportUnreachable).
        if (rng.chance(0.7))
          for (const other of c.nodes.values()) if (other.up) other.raft.reportUnreachable(node.id);
      } else c.restart(node.id);
    } else if (roll < 95) {
      const node = rng.pick([...c.nodes.values()]);
      if (node.up && node.appliedIndex > node.storage.snapshot().index + 5) {
        node.storage.compact(node.appliedIndex, node.appliedConfig);
      }
    } else if (roll < 97) {
      const leader = c.leader();
      const target = rng.pick(voters);
      const isVoter = leader?.raft.status().config.voters.includes(target);
      if (leader !== undefined && target !== leader.id) {
        leader.raft.proposeConfigChange({ kind: isVoter ? 'add-learner' : 'add-voter', node: target });
      }
    } else if (roll < 98) {
      c.leader()?.raft.transferLeadership(rng.pick(voters));
    } else {
      const node = rng.pick([...c.nodes.values()]);
      const lead = node.raft.status().leaderId;
      // Half of these: a read; the other half a wrong report that the (maybe live) leader is gone.
      if (node.up && rng.chance(0.5)) node.raft.readIndex(`s${seed}r${step}`);
      else if (node.up && lead !== null) node.raft.reportUnreachable(lead);
    }
    for (const id of c.nodes.keys()) c.drain(id);
    check(c, k);
  }
  // Liveness: heal everything, bring everyone back, restore full membership; the cluster converges.
  partition = null;
  c.asyncPersist = false;
  for (const id of voters) c.completePersist(id);
  for (const node of c.nodes.values()) if (!node.up) c.restart(node.id);
  for (let i = 0; i < 300; i++) {
    c.tick();
    const leader = c.leader();
    if (leader === undefined) continue;
    const cfg = leader.raft.status().config;
    const missing = voters.find((v) => !cfg.voters.includes(v));
    if (missing !== undefined) leader.raft.proposeConfigChange({ kind: 'add-voter', node: missing });
    check(c, k);
  }
  const leader = c.leader();
  if (leader === undefined) throw new Error(`seed ${seed}: no leader after healing`);
  c.propose(leader.id, 'final');
  c.tick(20);
  check(c, k);
  const last = leader.raft.status().commitIndex;
  for (const node of c.nodes.values()) {
    const s = node.raft.status();
    if (s.appliedIndex !== last)
      throw new Error(`seed ${seed}: ${node.id} applied ${s.appliedIndex}, leader committed ${last}`);
  }
  return { elections: k.leaders.size, applied: k.applied.size };
}

for (const voters of [
  ['a', 'b', 'c'],
  ['a', 'b', 'c', 'd', 'e'],
]) {
  test(`chaos soak: ${voters.length} nodes, ${SEEDS} seeds, safety at every step and convergence after healing`, (t) => {
    let elections = 0;
    let applied = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = chaosRun(seed, voters);
      elections += r.elections;
      applied += r.applied;
    }
    t.true(elections > SEEDS, `${elections} elections`);
    t.true(applied > SEEDS * 10, `${applied} applied indexes`);
    t.log(`${elections} leaders (terms), ${applied} distinct applied indexes`);
  });
}

for (const bug of ['voteWithoutLogCheck', 'appendWithoutPrevCheck'] as const) {
  test(`chaos soak has teeth: planted bug ${bug} is caught within 300 seeds`, (t) => {
    let caught: string | null = null;
    for (let seed = 1; seed <= 300 && caught === null; seed++) {
      try {
        chaosRun(seed, ['a', 'b', 'c', 'd', 'e'], { [bug]: true });
      } catch (error) {
        caught = `seed ${seed}: ${(error as Error).message}`;
      }
    }
    t.truthy(caught);
    t.log(caught);
  });
}
