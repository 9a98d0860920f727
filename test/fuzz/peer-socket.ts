/**
 * A raw peer connection for hostile tests: the /_raft upgrade with any headers, then any bytes as
 * frames. Nothing here goes through HttpTransport, so a test can send what a real peer never does.
 */
import { connect, type Socket } from 'node:net';
import { PEER_PROTOCOL_VERSION } from '../../lib/transport/codec.js';
import { PEER_HEADERS, PEER_UPGRADE_PATH, PEER_UPGRADE_PROTOCOL } from '../../lib/transport/handshake.js';

/** The headers of a correct handshake from `from` to `to`, with `secret` when given. */
export function peerHeaders(from: string, to: string, secret?: string): Record<string, string> {
  const headers: Record<string, string> = {
    Connection: 'Upgrade',
    Upgrade: PEER_UPGRADE_PROTOCOL,
    [PEER_HEADERS.version]: String(PEER_PROTOCOL_VERSION),
    [PEER_HEADERS.node]: from,
    [PEER_HEADERS.target]: to,
    [PEER_HEADERS.cluster]: 'logcluster',
  };
  if (secret !== undefined) headers[PEER_HEADERS.secret] = secret;
  return headers;
}

/** The answer to an upgrade: 101 with the socket left open, or a refusal (socket closed). */
export interface UpgradeReply {
  readonly status: number | null;
  readonly body: Record<string, unknown> | null;
  readonly socket: Socket;
}

/** How long an upgrade may take to be answered. */
export const UPGRADE_DEADLINE_MS = 5_000;

/** Sends the upgrade request and resolves once the node answered (or the deadline passed). */
export function peerUpgrade(
  port: number,
  headers: Record<string, string>,
  path = PEER_UPGRADE_PATH,
): Promise<UpgradeReply> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (status: number | null, body: Record<string, unknown> | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ status, body, socket });
    };
    const timer = setTimeout(() => finish(null, null), UPGRADE_DEADLINE_MS);
    const parse = (closed: boolean): void => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        if (closed) finish(null, null);
        return;
      }
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data.subarray(0, end).toString('latin1'))?.[1] ?? NaN);
      if (status === 101) {
        finish(101, null);
        return;
      }
      if (!closed) return; // a refusal closes the socket once written: read to the end
      try {
        finish(status, JSON.parse(data.subarray(end + 4).toString()) as Record<string, unknown>);
      } catch {
        finish(status, null);
      }
    };
    const onData = (chunk: Buffer): void => {
      data = Buffer.concat([data, chunk]);
      parse(false);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.on('close', () => parse(true));
    socket.on('connect', () => {
      const lines = [
        `GET ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}

/** A frame around `body`: u32 big-endian length, then the body (docs/transport.md "Frames"). */
export function frame(body: Uint8Array, declaredLength = body.length): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(declaredLength >>> 0);
  return Buffer.concat([head, body]);
}

/** Resolves true when the node closes `socket` within `ms`, false when it stays open. */
export function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    socket.on('close', onClose);
    socket.resume();
  });
}
