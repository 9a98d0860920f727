/**
 * `logcluster tail [-f]`: the latest entries; with -f, follows new ones as they are committed
 * (Server-Sent Events), resuming on another node when the one serving the stream goes away.
 */
import { defineCommand } from '../command.js';
import { clusterClient, output } from '../context.js';
import { type EntryView, entryLine } from '../format.js';
import { type FilterArgs, filterOptions, filters } from './query.js';

interface TailArgs extends FilterArgs {
  readonly follow: boolean;
  readonly lines: number;
}

export const tailCommand = defineCommand<TailArgs>({
  command: 'tail',
  describe: 'show the latest entries; -f follows new ones through node failures',
  builder: (y) =>
    filterOptions(y)
      .option('follow', {
        alias: 'f',
        type: 'boolean',
        default: false,
        describe: 'keep printing new entries',
      })
      .option('lines', {
        alias: 'n',
        type: 'number',
        default: 10,
        describe: 'how many of the latest entries first',
      }),
  examples: [
    ['$0 tail', 'the 10 latest entries'],
    ['$0 tail -f --min-level warn', 'follow warnings and worse'],
    ['$0 tail -f --json', 'one JSON entry per line'],
  ],
  handler: async (args) => {
    const out = output(args);
    const client = await clusterClient(args);
    const print = (entry: EntryView): void => {
      if (out.json) out.line(JSON.stringify(entry));
      else out.line(entryLine(out.color, entry));
    };
    try {
      const page = await client.query({ ...filters(args), order: 'desc', limit: args.lines });
      const latest = [...page.entries].reverse();
      for (const entry of latest) print(entry);
      if (!args.follow) return;
      const after = latest.at(-1)?.index;
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const stream = client.stream(filters(args), {
        signal: controller.signal,
        ...(after === undefined ? {} : { lastEventId: after }),
      });
      try {
        for await (const entry of stream) print(entry);
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
    } finally {
      client.close();
    }
  },
});
