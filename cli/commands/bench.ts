/**
 * `logcluster bench`: not built yet; says so and exits non-zero so scripts do not take it for a
 * result. The storage engine's own benchmark runs with `npm run bench:storage`.
 */
import { EXIT } from '../../lib/index.js';
import { defineCommand } from '../command.js';
import { type GlobalArgs, output } from '../context.js';

export const benchCommand = defineCommand<GlobalArgs>({
  command: 'bench',
  describe: 'load-test a cluster (not built yet)',
  examples: [['$0 bench', 'prints that the command is not built yet']],
  handler: async (args) => {
    const out = output(args);
    const text = 'bench is not built yet; the storage benchmark runs with `npm run bench:storage`';
    if (out.json) out.data({ success: false, error: text });
    else out.note(text);
    process.exitCode = EXIT.general;
  },
});
