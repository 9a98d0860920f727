/**
 * `logcluster dashboard`: prints the URL of the live dashboard each node serves (GET /dashboard).
 */
import { defineCommand } from '../command.js';
import { clusterUrls, type GlobalArgs, output } from '../context.js';

export const dashboardCommand = defineCommand<GlobalArgs>({
  command: 'dashboard',
  describe: 'print the URL of the live dashboard',
  examples: [['$0 dashboard', 'open the printed URL in a browser']],
  handler: async (args) => {
    const out = output(args);
    const { urls } = await clusterUrls(args);
    const urlsOut = urls.map((u) => `${u}/dashboard`);
    if (out.json) out.data({ success: true, urls: urlsOut });
    else {
      out.line(urlsOut[0]);
      if (urlsOut.length > 1)
        out.line(out.color.dim(`(every node serves it: ${urlsOut.slice(1).join(', ')})`));
    }
  },
});
