/**
 * A simulated, deterministic network for the fault simulator (and for embedders' own tests).
 * There is no real time: the caller owns a logical clock and passes `now`; every message sent
 * gets a delivery time drawn from a seeded Prng, so the same seed always yields the same
 * deliveries. Faults: random drop, duplicate (the copy travels independently, so it may arrive
 * much later: a replayed message), extra delay, reordering (latency jitter lets later messages
 * overtake earlier ones) and partitions (any set of directed links cut: symmetric, one-way,
 * isolation). A message is lost when its link is cut at send time or at delivery time.
 * Notices (sendNotice) model what a node's own TCP stack tells it about a peer, such as "the
 * connection closed and nothing listens there any more": they travel like messages but are never
 * randomly dropped, duplicated, or lost with their (crashed) sender; only a cut link stops them.
 */
import type { Prng } from '../prng.js';
import { MinHeap } from './simulator/min-heap.js';

/** Anything with a sender and a receiver. */
export interface Addressed {
  readonly from: string;
  readonly to: string;
}

/** Probabilities and latencies of the network "weather". Times are in the caller's clock units. */
export interface NetworkFaults {
  /** Smallest latency of a message; at least 1 so a reply never arrives in the instant it was caused. */
  latencyMinUnits: number;
  /** Largest base latency; jitter between min and max is what reorders messages. */
  latencyMaxUnits: number;
  /** Chance a message is silently lost. */
  dropProbability: number;
  /** Chance a message is delivered twice (the copy has its own latency). */
  duplicateProbability: number;
  /** Chance a message is held back for an extra delay. */
  delayProbability: number;
  /** Bound of the extra delay. */
  delayMaxUnits: number;
}

/** A calm network: no loss, no duplicates, small jitter. */
export const CALM_NETWORK: NetworkFaults = {
  latencyMinUnits: 1,
  latencyMaxUnits: 4,
  dropProbability: 0,
  duplicateProbability: 0,
  delayProbability: 0,
  delayMaxUnits: 0,
};

/** Counters of what the network did, for summaries. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  /** Lost to dropProbability. */
  dropped: number;
  /** Lost because the link was cut (partition). */
  cut: number;
  duplicated: number;
  delayed: number;
  /** Deliveries that overtook an earlier message on the same link. */
  reordered: number;
  /** Lost because their sender lost power before they left it (loseInFlightFrom). */
  lostWithSender: number;
  /** Notices delivered (sendNotice). */
  notices: number;
}

interface InFlight<M> {
  readonly time: number;
  readonly seq: number;
  /** Order of the original send on its link, to count reordering. */
  readonly sendSeq: number;
  readonly sentAt: number;
  readonly message: M;
  /** A notice: immune to random loss and to its sender's crash. */
  readonly notice: boolean;
}

/** A deterministic simulated network between named nodes. */
export class SimNetwork<M extends Addressed> {
  private readonly queue = new MinHeap<InFlight<M>>();
  private readonly cutLinks = new Set<string>();
  private readonly lastDeliveredSendSeq = new Map<string, number>();
  /** Per sender: messages sent at or before this time are lost (the sender lost power). */
  private readonly lostUntil = new Map<string, number>();
  private faults: NetworkFaults;
  private seq = 0;
  /** What happened so far. */
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    cut: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    lostWithSender: 0,
    notices: 0,
  };

  /** `nodes`: every member (for isolate); `prng`: this network's own stream. */
  constructor(
    private readonly nodes: readonly string[],
    private readonly prng: Prng,
    faults: Partial<NetworkFaults> = {},
  ) {
    this.faults = { ...CALM_NETWORK, ...faults };
  }

  /** Changes the weather for messages sent from now on. */
  setFaults(faults: Partial<NetworkFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  /** The current weather. */
  currentFaults(): Readonly<NetworkFaults> {
    return this.faults;
  }

  /** Sends `message` at time `now`: it is dropped, or queued (maybe twice) for a later delivery. */
  send(message: M, now: number): void {
    this.stats.sent++;
    if (!this.isLinked(message.from, message.to)) {
      this.stats.cut++;
      return;
    }
    if (this.prng.chance(this.faults.dropProbability)) {
      this.stats.dropped++;
      return;
    }
    const sendSeq = this.seq++;
    this.enqueue(message, now, sendSeq);
    if (this.prng.chance(this.faults.duplicateProbability)) {
      this.stats.duplicated++;
      this.enqueue(message, now, sendSeq);
    }
  }

  /**
   * Sends a notice at time `now` (e.g. "peer X's process is gone", after X crashed): delivered
   * once, after the usual latency, unless the link is cut at send or at delivery time.
   */
  sendNotice(message: M, now: number): void {
    if (!this.isLinked(message.from, message.to)) return;
    this.enqueue(message, now, this.seq++, true);
  }

  /** Time of the earliest queued delivery, undefined when nothing is in flight. */
  nextDeliveryTime(): number | undefined {
    return this.queue.peek()?.time;
  }

  /** Removes and returns the next message due at or before `now` (skipping those on cut links). */
  takeDue(now: number): M | undefined {
    for (;;) {
      const head = this.queue.peek();
      if (head === undefined || head.time > now) return undefined;
      this.queue.pop();
      const { from, to } = head.message;
      if (!head.notice && head.sentAt <= (this.lostUntil.get(from) ?? Number.NEGATIVE_INFINITY)) {
        this.stats.lostWithSender++;
        continue;
      }
      if (!this.isLinked(from, to)) {
        this.stats.cut++;
        continue;
      }
      if (head.notice) {
        this.stats.notices++;
        return head.message;
      }
      const link = linkKey(from, to);
      const last = this.lastDeliveredSendSeq.get(link) ?? -1;
      if (head.sendSeq < last) this.stats.reordered++;
      else this.lastDeliveredSendSeq.set(link, head.sendSeq);
      this.stats.delivered++;
      return head.message;
    }
  }

  /**
   * Everything `node` sent up to `now` and not yet delivered is lost, as when a machine loses
   * power with messages still in its send buffers.
   */
  loseInFlightFrom(node: string, now: number): void {
    this.lostUntil.set(node, now);
  }

  /** Number of messages in flight. */
  get inFlight(): number {
    return this.queue.size;
  }

  /** True when messages from `from` reach `to`. */
  isLinked(from: string, to: string): boolean {
    return !this.cutLinks.has(linkKey(from, to));
  }

  /** Cuts the directed link from -> to. */
  cut(from: string, to: string): void {
    if (from !== to) this.cutLinks.add(linkKey(from, to));
  }

  /** Cuts every link from a member of `a` to a member of `b`, and back unless `oneWay`. */
  partition(a: readonly string[], b: readonly string[], oneWay = false): void {
    for (const x of a) {
      for (const y of b) {
        this.cut(x, y);
        if (!oneWay) this.cut(y, x);
      }
    }
  }

  /** Cuts `node` off from every other member, both ways. */
  isolate(node: string): void {
    this.partition(
      [node],
      this.nodes.filter((n) => n !== node),
    );
  }

  /** Restores every link among `group` (all members when omitted). */
  heal(group: readonly string[] = this.nodes): void {
    for (const x of group) for (const y of group) this.cutLinks.delete(linkKey(x, y));
  }

  /** Number of cut directed links. */
  get cutCount(): number {
    return this.cutLinks.size;
  }

  /** Drops everything in flight (e.g. a test resetting the world). */
  clear(): void {
    this.queue.clear();
  }

  private enqueue(message: M, now: number, sendSeq: number, notice = false): void {
    const { latencyMinUnits, latencyMaxUnits, delayProbability, delayMaxUnits } = this.faults;
    let latency = latencyMinUnits + this.prng.nextInt(Math.max(1, latencyMaxUnits - latencyMinUnits + 1));
    if (delayMaxUnits > 0 && this.prng.chance(delayProbability)) {
      this.stats.delayed++;
      latency += 1 + this.prng.nextInt(delayMaxUnits);
    }
    this.queue.push({
      time: now + Math.max(1, latency),
      seq: this.seq++,
      sendSeq,
      sentAt: now,
      message,
      notice,
    });
  }
}

function linkKey(from: string, to: string): string {
  return `${from}>${to}`;
}
