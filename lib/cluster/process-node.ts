/**
 * A member running as a child process (the default): real SIGKILL / SIGSTOP faults, isolate and
 * heal over IPC, and a process that dies with its parent (see node-process.ts).
 */
import type { StorageNodeOptions } from '../node/options.js';
import type { IsolateDirection, ParentMessage } from './ipc.js';
import { type LaunchedNode, launchNode } from './launcher.js';
import type { NodeHandle, NodeState } from './node-handle.js';

/** A graceful stop longer than this ends in SIGKILL: stop() must always finish. */
export const PROCESS_STOP_DEADLINE_MS = 6000;
/** How long isolate/heal wait for the child's acknowledgement (a paused child never answers). */
export const IPC_ACK_TIMEOUT_MS = 1000;

/** A member run by the launcher. */
export class ProcessNode implements NodeHandle {
  readonly id: string;
  readonly url: string;
  readonly #options: StorageNodeOptions;
  readonly #logFile: string | undefined;
  readonly #controlSocket: string | undefined;
  #child: LaunchedNode | null = null;
  #state: NodeState = 'stopped';
  #isolated = false;
  #expectingExit = false;
  readonly #exitListeners: ((detail: string) => void)[] = [];

  constructor(options: StorageNodeOptions, url: string, logFile?: string, controlSocket?: string) {
    this.id = options.id;
    this.url = url;
    this.#options = options;
    this.#logFile = logFile;
    this.#controlSocket = controlSocket;
  }

  get pid(): number | null {
    return this.#child && this.#state !== 'dead' && this.#state !== 'stopped' ? this.#child.pid : null;
  }

  get state(): NodeState {
    return this.#state;
  }

  get isolated(): boolean {
    return this.#isolated;
  }

  async start(): Promise<void> {
    if (this.#state === 'running' || this.#state === 'paused' || this.#state === 'starting') return;
    this.#state = 'starting';
    this.#isolated = false;
    this.#expectingExit = false;
    try {
      this.#child = await launchNode({
        options: this.#options,
        logFile: this.#logFile,
        controlSocket: this.#controlSocket,
      });
    } catch (error) {
      this.#state = 'dead';
      throw error;
    }
    this.#state = 'running';
    const child = this.#child;
    void child.exited.then((exit) => {
      if (this.#child !== child) return;
      this.#state = this.#expectingExit ? 'stopped' : 'dead';
      if (!this.#expectingExit) {
        const detail = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
        for (const listener of this.#exitListeners) listener(detail);
      }
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || this.#state === 'dead' || this.#state === 'stopped') {
      this.#state = this.#state === 'dead' ? 'dead' : 'stopped';
      return;
    }
    this.#expectingExit = true;
    if (this.#state === 'paused') child.signal('SIGCONT');
    if (!child.send({ type: 'stop' })) child.signal('SIGTERM');
    const timer = setTimeout(() => child.signal('SIGKILL'), PROCESS_STOP_DEADLINE_MS);
    await child.exited;
    clearTimeout(timer);
    this.#state = 'stopped';
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || this.#state === 'dead' || this.#state === 'stopped') return;
    this.#expectingExit = true;
    child.signal('SIGKILL');
    await child.exited;
    this.#state = 'dead';
  }

  async pause(): Promise<void> {
    if (this.#state !== 'running' || !this.#child) return;
    this.#child.signal('SIGSTOP');
    this.#state = 'paused';
  }

  async resume(): Promise<void> {
    if (this.#state !== 'paused' || !this.#child) return;
    this.#child.signal('SIGCONT');
    this.#state = 'running';
  }

  async isolate(direction: IsolateDirection): Promise<void> {
    await this.#request({ type: 'isolate', direction });
    this.#isolated = true;
  }

  async heal(): Promise<void> {
    await this.#request({ type: 'heal' });
    this.#isolated = false;
  }

  onUnexpectedExit(listener: (detail: string) => void): void {
    this.#exitListeners.push(listener);
  }

  /** Sends and waits for the child's ack (bounded: a paused child acts once continued). */
  async #request(message: ParentMessage): Promise<void> {
    const child = this.#child;
    if (!child || this.#state === 'dead' || this.#state === 'stopped') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, IPC_ACK_TIMEOUT_MS);
      const unsubscribe = child.onMessage((reply) => {
        if (reply.type === 'ack' && reply.of === message.type) done();
      });
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
      if (!child.send(message)) done();
    });
  }
}
