/**
 * Fault injection on a node the caller does not hold an IPC channel to (a detached node):
 * `POST /_admin/fault {mode: 'isolate'|'heal', direction?}` on the node itself, guarded by the
 * cluster secret (x-logcluster-secret) and served on loopback only. This is the one request the
 * cluster code makes outside LogClusterClient: it is not part of the client API.
 */
import { ERRORS, LogClusterError } from '../errors.js';
import type { IsolateDirection } from './ipc.js';

/** The admin route a node serves for fault injection. */
export const ADMIN_FAULT_PATH = '/_admin/fault';
/** Header carrying the cluster secret (same as peer traffic). */
export const ADMIN_SECRET_HEADER = 'x-logcluster-secret';
/** A loopback node answers at once; longer means it is paused or gone. */
export const ADMIN_TIMEOUT_MS = 2000;

/** What to do to the node's peer traffic. */
export type AdminFault =
  | { readonly mode: 'isolate'; readonly direction?: IsolateDirection }
  | { readonly mode: 'heal' };

/**
 * Asks the node at url to isolate itself or heal. Throws the node's own error code when it
 * refuses, UNAVAILABLE when it cannot be reached, TIMEOUT when it does not answer in time.
 */
export async function sendFault(url: string, fault: AdminFault, clusterSecret: string | null): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (clusterSecret !== null) headers[ADMIN_SECRET_HEADER] = clusterSecret;
  let response: Response;
  try {
    response = await fetch(`${url}${ADMIN_FAULT_PATH}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(fault),
      signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new LogClusterError(
      timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
      `${url} did not ${timedOut ? 'answer' : 'accept'} ${ADMIN_FAULT_PATH} (${(error as Error).message})`,
      { url },
    );
  }
  if (response.ok) {
    await response.body?.cancel();
    return;
  }
  const body = (await response.json().catch(() => ({}))) as { code?: string; error?: string };
  const known = (
    typeof body.code === 'string' && body.code in ERRORS ? body.code : 'INTERNAL'
  ) as keyof typeof ERRORS;
  throw new LogClusterError(known, `${url}${ADMIN_FAULT_PATH}: ${body.error ?? `HTTP ${response.status}`}`, {
    url,
  });
}
