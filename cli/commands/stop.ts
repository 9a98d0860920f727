/**
 * `logcluster stop`: stops the cluster recorded in the data directory (SIGTERM, then SIGKILL
 * after a grace period) and removes its state file.
 */
import { defineCommand } from '../command.js';
import { type GlobalArgs, output, recordedCluster } from '../context.js';

export const stopCommand = defineCommand<GlobalArgs>({
  command: 'stop',
  describe: 'stop the cluster started with `start --detach` (or a foreground one)',
  examples: [
    ['$0 stop', 'stop the cluster recorded in ./data'],
    ['$0 stop --data-dir /tmp/lc', 'stop the one recorded in /tmp/lc'],
  ],
  handler: async (args) => {
    const out = output(args);
    const cluster = await recordedCluster(args);
    const ids = cluster.nodes().map((n) => n.id);
    await cluster.stop();
    if (out.json) out.data({ success: true, stopped: ids });
    else out.line(`${out.color.green('stopped')} ${ids.join(', ')}`);
  },
});
