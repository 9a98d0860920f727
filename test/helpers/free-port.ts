/**
 * Free ports for tests that must give a cluster its ports up front (the CLI's --base-port).
 * A port found free can be taken by another process before it is used; tests on one machine
 * accept that small race, which the OS-assigned base port makes unlikely.
 */
import { findFreePortRange } from '../../lib/cluster/preflight.js';

/** The first of `count` consecutive ports free on host (default loopback). */
export function freePortRange(count: number, host = '127.0.0.1'): Promise<number> {
  return findFreePortRange(host, count);
}
