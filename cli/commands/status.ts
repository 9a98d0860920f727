/**
 * `logcluster status`: the table of nodes (role, term, commit, health, pid) of the cluster
 * recorded in the data directory, or of the nodes named by --url.
 */

import { clusterTable, recordedRows, urlRows } from '../cluster-table.js';
import { defineCommand } from '../command.js';
import { explicitUrls, type GlobalArgs, output, recordedCluster } from '../context.js';

export const statusCommand = defineCommand<GlobalArgs>({
  command: 'status',
  describe: 'show every node: role, term, commit index, health, pid',
  examples: [
    ['$0 status', 'the cluster started in ./data'],
    ['$0 status --data-dir /tmp/lc --json', 'as JSON, for scripts'],
    ['$0 status --url http://10.0.0.1:5001,http://10.0.0.2:5001', 'nodes of a multi-host cluster'],
  ],
  handler: async (args) => {
    const out = output(args);
    const urls = explicitUrls(args);
    let rows: Awaited<ReturnType<typeof urlRows>>;
    if (urls) {
      rows = await urlRows(urls, args.token ?? process.env.LOGCLUSTER_TOKEN);
    } else {
      const cluster = await recordedCluster(args);
      try {
        rows = await recordedRows(cluster);
      } finally {
        cluster.close();
      }
    }
    if (out.json) out.data(rows);
    else out.line(clusterTable(out.color, rows));
  },
});
