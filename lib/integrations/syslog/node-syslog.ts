/**
 * The StorageNode's optional syslog listener (`syslogPort`): messages go through the node's
 * NodeService.write, the same path as POST /write (forwarded to the leader, acknowledged when
 * fsynced on a majority). Refusals are reported on stderr, at most one line per
 * SYSLOG_REJECT_LOG_INTERVAL_MS so a misbehaving sender cannot flood the node's log.
 */

import type { NodeService } from '../../http/service.js';
import { SyslogListener } from './listener.js';

/** Least time between two refusal reports on stderr. */
export const SYSLOG_REJECT_LOG_INTERVAL_MS = 10_000;

/** Starts the listener on `port` (TCP and UDP) of `host` for `service`. */
export function startNodeSyslog(port: number, host: string, service: NodeService): Promise<SyslogListener> {
  let lastLogMs = 0;
  let quiet = 0;
  return SyslogListener.start({
    port,
    host,
    write: (entries) => service.write(entries),
    onReject: (reason, peer) => {
      const now = Date.now();
      if (now - lastLogMs < SYSLOG_REJECT_LOG_INTERVAL_MS) {
        quiet++;
        return;
      }
      const more = quiet > 0 ? ` (${quiet} more since the last report)` : '';
      console.error(`logcluster syslog: refused from ${peer}: ${reason}${more}`);
      lastLogMs = now;
      quiet = 0;
    },
  });
}
