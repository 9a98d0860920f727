/**
 * A member running as a StorageNode inside this process (mode 'in-process'): no OS process to
 * kill or freeze, so kill() is the node's own stop and pause() cuts all its peer traffic.
 */
import type { StorageNodeOptions } from '../node/options.js';
import { StorageNode } from '../node/storage-node.js';
import type { IsolateDirection } from './ipc.js';
import type { NodeHandle, NodeState } from './node-handle.js';

/** A member that is a StorageNode object. */
export class InProcessNode implements NodeHandle {
  readonly id: string;
  readonly url: string;
  readonly pid = null;
  readonly #options: StorageNodeOptions;
  #node: StorageNode | null = null;
  #state: NodeState = 'stopped';
  #isolated = false;

  constructor(options: StorageNodeOptions, url: string) {
    this.id = options.id;
    this.url = url;
    this.#options = options;
  }

  /** The running StorageNode (null when stopped), for embedders who want its events. */
  get node(): StorageNode | null {
    return this.#node;
  }

  get state(): NodeState {
    return this.#state;
  }

  get isolated(): boolean {
    return this.#isolated;
  }

  async start(): Promise<void> {
    if (this.#node) return;
    this.#state = 'starting';
    const node = new StorageNode(this.#options);
    try {
      await node.start();
    } catch (error) {
      this.#state = 'dead';
      throw error;
    }
    this.#node = node;
    this.#isolated = false;
    this.#state = 'running';
  }

  async stop(): Promise<void> {
    await this.#end('stopped');
  }

  async kill(): Promise<void> {
    await this.#end('dead');
  }

  async pause(): Promise<void> {
    if (this.#state !== 'running' || !this.#node) return;
    this.#node.isolate('both');
    this.#state = 'paused';
  }

  async resume(): Promise<void> {
    if (this.#state !== 'paused' || !this.#node) return;
    if (!this.#isolated) this.#node.heal();
    this.#state = 'running';
  }

  async isolate(direction: IsolateDirection): Promise<void> {
    this.#node?.isolate(direction);
    this.#isolated = this.#node !== null;
  }

  async heal(): Promise<void> {
    if (this.#node && this.#state !== 'paused') this.#node.heal();
    this.#isolated = false;
  }

  onUnexpectedExit(): void {
    // An in-process node cannot die on its own without taking this process with it.
  }

  async #end(state: NodeState): Promise<void> {
    const node = this.#node;
    this.#node = null;
    this.#isolated = false;
    if (node) await node.stop();
    this.#state = state;
  }
}
