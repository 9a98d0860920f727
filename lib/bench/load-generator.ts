/**
 * The harness's handle on the load worker process: one job at a time, each bounded in time (a
 * worker that overruns is killed and replaced, so a hung target can never hang the run).
 */
import type { ChildProcess } from 'node:child_process';
import { forkEntry, killChild } from './children.js';
import type { JobMessage, LoadJob, LoadResult, ReplyMessage } from './load-protocol.js';

/** Slack beyond a job's own duration before it counts as hung (connection timeouts, teardown). */
export const JOB_SLACK_MS = 30_000;

/** Runs load jobs in a separate process. */
export class LoadGenerator {
  #child: ChildProcess | null = null;
  #seq = 0;
  #busy = false;

  /** Starts the worker process now (else the first job does). */
  async start(): Promise<void> {
    if (this.#child) return;
    const { child } = await forkEntry<{ ready: true }>('load-worker');
    this.#child = child;
    child.once('exit', () => {
      if (this.#child === child) this.#child = null;
    });
  }

  /** Runs one job; rejects when it fails, the worker dies, or it overruns durationSec + JOB_SLACK_MS. */
  async run(job: LoadJob): Promise<LoadResult> {
    if (this.#busy) throw new Error('the load generator runs one job at a time');
    this.#busy = true;
    try {
      await this.start();
      const child = this.#child!;
      const seq = ++this.#seq;
      return await new Promise<LoadResult>((resolve, reject) => {
        const finish = (error: Error | null, result?: LoadResult) => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(result!);
        };
        const onMessage = (message: ReplyMessage) => {
          if (message.seq !== seq) return;
          if ('error' in message) finish(new Error(`load job failed: ${message.error}`));
          else finish(null, message.result);
        };
        const onExit = () => finish(new Error('the load worker exited during a job'));
        const timer = setTimeout(
          () => {
            finish(new Error(`a load job overran ${job.durationSec} s + ${JOB_SLACK_MS} ms`));
            void killChild(child);
          },
          job.durationSec * 1000 + JOB_SLACK_MS,
        );
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ seq, job } satisfies JobMessage);
      });
    } finally {
      this.#busy = false;
    }
  }

  /** Kills the worker. Idempotent. */
  async close(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (child) await killChild(child);
  }
}
