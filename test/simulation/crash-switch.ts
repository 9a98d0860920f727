/**
 * Fences one incarnation of a node from its disk. A real crash ends the process: nothing it had
 * in flight touches the disk afterwards. Here the old incarnation's promises live on, so every
 * disk call goes through this switch, which refuses all calls once the node crashed. The switch
 * can also be ARMED to crash the node at a disk operation: after `ops` more calls it crashes the
 * disk (losing unsynced data, maybe tearing the last write) in the middle of whatever the node
 * was persisting.
 */

/** Disk calls an armed crash counts: those that change the disk (reads cannot lose data). */
export const MUTATING_OPS: ReadonlySet<string> = new Set([
  'write',
  'truncate',
  'datasync',
  'fsync',
  'syncDir',
  'mkdir',
  'rename',
  'unlink',
]);

/** Thrown into a crashed incarnation's pending disk calls. */
export class SimCrash extends Error {
  constructor() {
    super('simulated crash');
    this.name = 'SimCrash';
  }
}

/** Wraps a disk so that one incarnation can be crashed at an exact operation. */
export class CrashSwitch {
  private dead = false;
  private opsLeft = Number.POSITIVE_INFINITY;
  private resolveCrashed: () => void = () => {};
  /** Resolves when the switch fires (armed crash) or crash() is called. */
  readonly crashed: Promise<void>;

  /** `crashDisk` is called once, when the node crashes (e.g. SimFileSystem.crash). */
  constructor(private readonly crashDisk: () => void) {
    this.crashed = new Promise((resolve) => {
      this.resolveCrashed = resolve;
    });
  }

  /** True once the incarnation crashed. */
  get isDead(): boolean {
    return this.dead;
  }

  /** True while a crash is armed but has not fired. */
  get isArmed(): boolean {
    return !this.dead && Number.isFinite(this.opsLeft);
  }

  /** Crashes at the `ops`-th disk call from now (0: the next call). */
  arm(ops: number): void {
    this.opsLeft = ops;
  }

  /** Crashes now. */
  crash(): void {
    if (this.dead) return;
    this.dead = true;
    this.crashDisk();
    this.resolveCrashed();
  }

  /** A view of `target` (a FileSystem: handles are plain numbers) whose methods obey the switch. */
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== 'function') return value;
        const counted = typeof prop === 'string' && MUTATING_OPS.has(prop);
        return (...args: unknown[]) => {
          this.gate(counted);
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  }

  private gate(counted: boolean): void {
    if (counted && !this.dead && this.opsLeft-- <= 0) this.crash();
    if (this.dead) throw new SimCrash();
  }
}
