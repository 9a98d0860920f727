/**
 * `logcluster stats`: per-node counters, Raft progress, disk and memory, and the leader's view of
 * replication lag, as tables (or JSON); --watch redraws them.
 */
import type { ChalkInstance } from 'chalk';
import { LogClusterClient } from '../../lib/index.js';
import { defineCommand } from '../command.js';
import { clusterUrls, type GlobalArgs, output } from '../context.js';
import { role, table } from '../format.js';

/** --watch refreshes this often by default: faster than a human reads a table. */
const WATCH_INTERVAL_MS_DEFAULT = 1000;
/** A node that answers /stats slower than this is shown as unreachable for this round. */
const STATS_TIMEOUT_MS = 2000;

interface StatsArgs extends GlobalArgs {
  readonly watch: boolean;
  readonly interval: number;
}

/** The /stats fields shown (API.md "Watching"). */
interface StatsReply {
  readonly node_id?: string;
  readonly stats?: { writes?: number; reads?: number; replications_received?: number };
  readonly disk_usage?: { percent?: number; free?: number };
  readonly memory_usage?: { rss?: number; heapUsed?: number };
  readonly raft?: {
    role?: string;
    term?: number;
    leader_id?: string | null;
    commit_index?: number;
    applied_index?: number;
    last_index?: number;
    peers?: { id: string; match_index?: number; lag?: number; last_contact_ms?: number }[];
  };
  readonly storage?: { segments?: number; bytes?: number; entries?: number };
}

/** Bytes in the largest unit that keeps the number >= 1 (B, KiB, MiB, GiB). */
function size(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

async function collect(
  urls: string[],
  token: string | undefined,
): Promise<(StatsReply | { error: string })[]> {
  return Promise.all(
    urls.map(async (url) => {
      const client = new LogClusterClient({ nodes: [url], token, timeoutMs: STATS_TIMEOUT_MS, retries: 0 });
      try {
        return (await client.stats()) as unknown as StatsReply;
      } catch (error) {
        return { error: (error as Error).message };
      } finally {
        client.close();
      }
    }),
  );
}

function render(color: ChalkInstance, urls: string[], replies: (StatsReply | { error: string })[]): string {
  const rows = replies.map((r, i) => {
    if ('error' in r) return [urls[i], color.red('unreachable'), '-', '-', '-', '-', '-', '-', '-', '-', '-'];
    const raft = r.raft ?? {};
    return [
      r.node_id ?? urls[i],
      role(color, raft.role),
      raft.term,
      raft.commit_index,
      raft.applied_index,
      raft.last_index,
      r.stats?.writes,
      r.stats?.reads,
      r.storage ? `${r.storage.segments ?? '-'} / ${size(r.storage.bytes)}` : '-',
      r.disk_usage?.percent === undefined ? '-' : `${r.disk_usage.percent}%`,
      size(r.memory_usage?.rss),
    ];
  });
  const head = [
    'node',
    'role',
    'term',
    'commit',
    'applied',
    'last',
    'writes',
    'reads',
    'segments / size',
    'disk',
    'rss',
  ];
  let text = table(color, head, rows);
  const leader = replies.find((r): r is StatsReply => !('error' in r) && r.raft?.role === 'leader');
  const peers = leader?.raft?.peers ?? [];
  if (peers.length > 0) {
    const peerRows = peers.map((p) => [
      p.id,
      p.match_index,
      p.lag === 0 ? color.green('0') : p.lag,
      p.last_contact_ms,
    ]);
    text += `\nreplication from ${leader?.node_id}:\n${table(color, ['peer', 'match', 'lag', 'last contact ms'], peerRows)}`;
  }
  return text;
}

export const statsCommand = defineCommand<StatsArgs>({
  command: 'stats',
  describe: 'counters, Raft progress, disk and memory of every node',
  builder: (y) =>
    y
      .option('watch', { alias: 'w', type: 'boolean', default: false, describe: 'redraw until Ctrl-C' })
      .option('interval', {
        type: 'number',
        default: WATCH_INTERVAL_MS_DEFAULT,
        describe: 'ms between redraws',
      }),
  examples: [
    ['$0 stats', 'tables of every node'],
    ['$0 stats --watch', 'live'],
    ['$0 stats --json', 'the raw /stats of every node'],
  ],
  handler: async (args) => {
    const out = output(args);
    const { urls, token } = await clusterUrls(args);
    for (;;) {
      const replies = await collect(urls, token);
      if (out.json) out.line(JSON.stringify(replies.map((r, i) => ({ url: urls[i], ...r }))));
      else {
        if (args.watch && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
        out.line(render(out.color, urls, replies));
      }
      if (!args.watch) return;
      await new Promise((resolve) => setTimeout(resolve, Math.max(100, args.interval)));
    }
  },
});
