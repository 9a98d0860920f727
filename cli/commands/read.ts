/**
 * `logcluster read <ref>`: one entry by its file_path or id, with a chosen read consistency.
 */
import { defineCommand } from '../command.js';
import { clusterClient, type GlobalArgs, output } from '../context.js';
import { entryLine } from '../format.js';

interface ReadArgs extends GlobalArgs {
  readonly ref: string;
  readonly consistency: 'linearizable' | 'leader' | 'local';
}

export const readCommand = defineCommand<ReadArgs>({
  command: 'read <ref>',
  describe: 'read one entry by file_path or id',
  builder: (y) =>
    y
      .positional('ref', { type: 'string', describe: 'file_path (log_...json) or the entry id' })
      .option('consistency', {
        choices: ['linearizable', 'leader', 'local'] as const,
        default: 'linearizable' as const,
        describe: 'linearizable: sees every acknowledged write; local: this node, possibly stale',
      }),
  examples: [
    ['$0 read log_00000000000000000042.json', 'by file_path'],
    ['$0 read 3f0c9a1e --json', 'by id, as JSON'],
    [
      '$0 read log_00000000000000000042.json --consistency local --url http://127.0.0.1:5003',
      'from one node, no quorum round',
    ],
  ],
  handler: async (args) => {
    const out = output(args);
    const client = await clusterClient(args);
    try {
      const entry = await client.read(args.ref, { consistency: args.consistency });
      if (out.json) out.data(entry);
      else {
        out.line(entryLine(out.color, entry));
        out.line(out.color.dim(`${entry.file_path}  id ${entry.id}  index ${entry.index}`));
      }
    } finally {
      client.close();
    }
  },
});
