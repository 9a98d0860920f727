/**
 * Checks made before any node starts, so a misconfigured cluster fails with one clear error
 * (PORT_IN_USE naming the port, DATA_DIR_UNWRITABLE naming the directory) instead of a node
 * crashing half-way through a start.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LogClusterError } from '../errors.js';

/** How many base ports findFreePortRange tries before giving up (each try binds N sockets). */
export const FREE_PORT_ATTEMPTS_MAX = 50;

/** Binds host:port briefly; resolves the error code when it cannot (EADDRINUSE, EACCES...), else null. */
export function probePort(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'EUNKNOWN'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** Throws LogClusterError('PORT_IN_USE') naming the first address that cannot be bound. */
export async function assertPortsFree(addresses: readonly { host: string; port: number }[]): Promise<void> {
  for (const { host, port } of addresses) {
    if (port === 0) continue;
    const code = await probePort(host, port);
    if (code === 'EADDRINUSE') {
      throw new LogClusterError('PORT_IN_USE', `port ${port} on ${host} is already in use`, { port, host });
    }
    if (code !== null) {
      throw new LogClusterError('PORT_IN_USE', `port ${port} on ${host} cannot be bound (${code})`, {
        port,
        host,
      });
    }
  }
}

/** An OS-assigned free port on host (bound then released; free at the time of the call). */
export function ephemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Lowest port findFreePortRange picks: below are well-known services' customary ports. */
export const FREE_PORT_MIN = 10_000;

/**
 * The OS range of ephemeral ports (Linux: /proc/sys/net/ipv4/ip_local_port_range). Outgoing
 * connections take local ports from it at any moment, so a port found free there may be gone
 * when a node binds it; findFreePortRange stays out of it.
 */
export function ephemeralPortRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low <= high) return { low, high };
  } catch {
    // not Linux: assume the IANA dynamic range
  }
  return { low: 49152, high: 65535 };
}

/**
 * Finds `count` consecutive ports free on host (so a cluster keeps the basePort+i layout),
 * starting at a random base outside the ephemeral range (two callers rarely pick the same one).
 * Throws PORT_IN_USE after FREE_PORT_ATTEMPTS_MAX tries.
 */
export async function findFreePortRange(host: string, count: number): Promise<number> {
  const { low, high } = ephemeralPortRange();
  const below = { from: FREE_PORT_MIN, to: low - count };
  const above = { from: high + 1, to: 65536 - count };
  const span = below.to - below.from >= above.to - above.from ? below : above;
  for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS_MAX; attempt += 1) {
    const base = span.to > span.from ? randomInt(span.from, span.to) : await ephemeralPort(host);
    if (base + count - 1 > 65535) continue;
    let free = true;
    for (let i = 0; i < count && free; i += 1) free = (await probePort(host, base + i)) === null;
    if (free) return base;
  }
  throw new LogClusterError('PORT_IN_USE', `no ${count} consecutive free ports found on ${host}`, { host });
}

/**
 * Creates dir (and parents) and proves it writable by writing and removing a probe file.
 * Throws LogClusterError('DATA_DIR_UNWRITABLE') naming the directory and the OS reason.
 */
export async function assertDirWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'probe');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new LogClusterError('DATA_DIR_UNWRITABLE', `data directory ${dir} is not writable (${code})`, {
      dataDir: dir,
    });
  }
}
