/**
 * Entry file of one node process started by the launcher: builds a StorageNode from the spec in
 * LOGCLUSTER_NODE_SPEC, starts it, reports `ready` over IPC and obeys isolate/heal/stop.
 *
 * Lifetime: an attached node exits when its IPC channel closes (the parent died or let go), so a
 * crashed manager leaves no process behind; a detached node ignores that and stops on SIGTERM.
 */
import { isLogClusterError } from '../errors.js';
import { StorageNode } from '../node/storage-node.js';
import { serveControl } from './control-socket.js';
import { type ChildMessage, NODE_SPEC_ENV_VAR, type NodeLaunchSpec, type ParentMessage } from './ipc.js';

/** A graceful stop that takes longer than this is cut short: the process must not linger. */
export const NODE_STOP_DEADLINE_MS = 5000;
/** Exit code when the spec is missing or not JSON: a launcher bug, not a user error. */
const EXIT_BAD_SPEC = 70;

function send(message: ChildMessage): void {
  // The callback swallows EPIPE when the parent goes away between the check and the write.
  if (process.connected) process.send?.(message, undefined, {}, () => {});
}

function readSpec(): NodeLaunchSpec {
  const text = process.env[NODE_SPEC_ENV_VAR];
  if (!text) {
    process.stderr.write(`node-process: ${NODE_SPEC_ENV_VAR} is not set\n`);
    process.exit(EXIT_BAD_SPEC);
  }
  try {
    return JSON.parse(text) as NodeLaunchSpec;
  } catch {
    process.stderr.write(`node-process: ${NODE_SPEC_ENV_VAR} is not JSON\n`);
    process.exit(EXIT_BAD_SPEC);
  }
}

async function main(): Promise<void> {
  const spec = readSpec();
  let node: StorageNode;
  try {
    node = new StorageNode(spec.options);
    await node.start();
  } catch (error) {
    const code = isLogClusterError(error) ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`node ${spec.options.id}: ${code}: ${message}\n`);
    send({ type: 'error', code, message });
    process.exitCode = isLogClusterError(error) ? error.exitCode : 1;
    process.disconnect?.();
    return;
  }

  const control = spec.controlSocket
    ? await serveControl(spec.controlSocket, (request) => {
        if (request.type === 'isolate') node.isolate(request.direction);
        else node.heal();
      }).catch((error: unknown) => {
        process.stderr.write(`node ${node.id}: no control socket: ${String(error)}\n`);
        return null;
      })
    : null;

  let stopping = false;
  const stop = (exitCode: number): void => {
    if (stopping) return;
    stopping = true;
    control?.close();
    const deadline = setTimeout(() => process.exit(exitCode), NODE_STOP_DEADLINE_MS);
    deadline.unref();
    node.stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        process.stderr.write(`node ${node.id}: stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };

  node.on('role-change', (event: { role: string; term: number }) => {
    send({ type: 'role-change', role: event.role, term: event.term });
  });
  node.on('leader-change', (event: { leaderId: string | null; term: number }) => {
    send({ type: 'leader-change', leaderId: event.leaderId, term: event.term });
  });
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'isolate') node.isolate(message.direction);
    else if (message.type === 'heal') node.heal();
    else if (message.type === 'stop') stop(0);
    send({ type: 'ack', of: message.type });
  });
  if (!spec.detached) process.on('disconnect', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  // A detached node's launcher closes the channel once it has read `ready`.
  send({ type: 'ready', port: node.port, url: node.url, pid: process.pid });
}

void main();
