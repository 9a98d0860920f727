/**
 * `logcluster recover <node>`: undoes `fail`: continues a paused node, heals an isolated one,
 * restarts a killed one from its data directory; returns once it answers again.
 */
import { defineCommand } from '../command.js';
import { type GlobalArgs, output, recordedCluster } from '../context.js';

interface RecoverArgs extends GlobalArgs {
  readonly node: string;
}

export const recoverCommand = defineCommand<RecoverArgs>({
  command: 'recover <node>',
  describe: 'repair a node broken by `fail` (continue, heal or restart it)',
  builder: (y) => y.positional('node', { type: 'string', describe: 'node id, e.g. node1' }),
  examples: [['$0 recover node1', 'restart node1 if killed, continue it if paused, heal it if isolated']],
  handler: async (args) => {
    const out = output(args);
    const cluster = await recordedCluster(args);
    try {
      await cluster.recover(args.node);
    } finally {
      cluster.close();
    }
    if (out.json) out.data({ success: true, node: args.node });
    else
      out.line(
        `${args.node} ${out.color.green('recovered')}; it catches up with the leader in the background`,
      );
  },
});
