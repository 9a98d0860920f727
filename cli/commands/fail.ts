/**
 * `logcluster fail <node> --mode kill|pause|isolate`: breaks one node of the recorded cluster on
 * purpose, to watch failover.
 */
import type { FailMode } from '../../lib/index.js';
import { defineCommand } from '../command.js';
import { type GlobalArgs, output, recordedCluster } from '../context.js';

interface FailArgs extends GlobalArgs {
  readonly node: string;
  readonly mode: FailMode;
}

const WHAT: Record<FailMode, string> = {
  kill: 'killed (SIGKILL)',
  pause: 'paused (SIGSTOP)',
  isolate: 'isolated from its peers',
};

export const failCommand = defineCommand<FailArgs>({
  command: 'fail <node>',
  describe: 'break a node on purpose: kill, pause or isolate it',
  builder: (y) =>
    y.positional('node', { type: 'string', describe: 'node id, e.g. node1' }).option('mode', {
      choices: ['kill', 'pause', 'isolate'] as const,
      default: 'kill' as const,
      describe: 'kill: SIGKILL; pause: SIGSTOP (answers nothing); isolate: peer traffic cut both ways',
    }),
  examples: [
    ['$0 fail node1', 'kill node1 (SIGKILL) and watch a new leader take over'],
    ['$0 fail node2 --mode pause', 'freeze node2'],
    ['$0 fail node3 --mode isolate', 'cut node3 off from its peers; it keeps running'],
  ],
  handler: async (args) => {
    const out = output(args);
    const cluster = await recordedCluster(args);
    try {
      await cluster.fail(args.node, args.mode);
    } finally {
      cluster.close();
    }
    if (out.json) out.data({ success: true, node: args.node, mode: args.mode });
    else
      out.line(
        `${args.node} ${out.color.red(WHAT[args.mode])}; repair with: logcluster recover ${args.node}`,
      );
  },
});
