/**
 * The node's self-reports: /health, /stats and /cluster bodies, built from NodeCore (/metrics is
 * metrics.ts).
 */
import { statfs } from 'node:fs/promises';
import type { ClusterReport, HealthReport, StatsReport } from '../http/service.js';
import type { NodeCore } from './node-core.js';
import { electionTicksOf } from './options.js';

function counters(core: NodeCore) {
  const c = core.counters;
  return {
    writes: c.writes,
    reads: c.reads,
    replications_received: c.replications_received,
    start_time: new Date(c.startTimeMs).toISOString(),
  };
}

/** Voters the leader has not heard from within an election timeout. */
function silentVoters(core: NodeCore): string[] {
  const status = core.status();
  const electionTicks = electionTicksOf(core.options);
  return status.progress
    .filter((p) => p.voter && p.id !== core.options.id && p.lastContactTicks > electionTicks)
    .map((p) => p.id);
}

/** GET /health: unhealthy (503) without a leader, with a failed disk, or while stopping. */
export function healthReport(core: NodeCore, stopping: boolean): HealthReport {
  const status = core.status();
  const base = {
    node_id: core.options.id,
    role: status.role,
    term: status.term,
    leader_id: status.leaderId,
    commit_index: status.commitIndex,
    applied_index: core.machine.appliedIndex,
    uptime: Math.round((Date.now() - core.counters.startTimeMs) / 1000),
    stats: counters(core),
  };
  if (stopping)
    return { ...base, status: 'unhealthy', code: 'SHUTTING_DOWN', reason: 'The node is shutting down' };
  if (core.storageError) {
    return { ...base, status: 'unhealthy', code: core.storageError.code, reason: core.storageError.message };
  }
  if (status.leaderId === null) {
    return {
      ...base,
      status: 'unhealthy',
      code: 'NO_LEADER',
      reason: 'No leader is known (election in progress or no quorum reachable)',
    };
  }
  const silent = status.role === 'leader' ? silentVoters(core) : [];
  if (silent.length > 0)
    return { ...base, status: 'degraded', reason: `Voters not responding: ${silent.join(', ')}` };
  return { ...base, status: 'healthy' };
}

/** GET /stats: the seed's fields plus raft, storage and transport sections. */
export async function statsReport(core: NodeCore): Promise<StatsReport> {
  const status = core.status();
  const storage = core.storage.stats();
  const tickMs = core.options.tickIntervalMs;
  let disk = { total: 0, used: 0, free: 0, percent: 0 };
  try {
    const fs = await statfs(core.options.dataDir);
    const total = fs.blocks * fs.bsize;
    const free = fs.bavail * fs.bsize;
    disk = {
      total,
      used: total - free,
      free,
      percent: total > 0 ? Math.round(((total - free) / total) * 1000) / 10 : 0,
    };
  } catch {
    // statfs can fail on exotic file systems; the rest of the report is still useful.
  }
  const memory = process.memoryUsage();
  return {
    node_id: core.options.id,
    stats: counters(core),
    disk_usage: disk,
    memory_usage: {
      rss: memory.rss,
      heap_used: memory.heapUsed,
      heap_total: memory.heapTotal,
      external: memory.external,
    },
    raft: {
      role: status.role,
      term: status.term,
      leader_id: status.leaderId,
      commit_index: status.commitIndex,
      applied_index: core.machine.appliedIndex,
      last_index: status.lastIndex,
      voters: status.config.voters,
      learners: status.config.learners,
      peers: status.progress
        .filter((p) => p.id !== core.options.id)
        .map((p) => ({
          id: p.id,
          voter: p.voter,
          match_index: p.matchIndex,
          lag: Math.max(0, status.lastIndex - p.matchIndex),
          last_contact_ms: p.lastContactTicks * tickMs,
          state: p.state,
        })),
    },
    storage: {
      segments: storage.segments,
      bytes: storage.bytes,
      entries: core.machine.stats().entries,
      first_index: storage.firstIndex,
      last_index: storage.lastIndex,
      snapshot_index: storage.snapshotIndex,
    },
    ...(core.retention ? { retention: core.retention.stats() } : {}),
    transport: core.transport.stats(),
    pending_writes: core.pending.size,
  };
}

/** GET /cluster: every member as this node sees it (progress only where this node leads). */
export function clusterReport(core: NodeCore): ClusterReport {
  const status = core.status();
  const electionTicks = electionTicksOf(core.options);
  const progress = new Map(status.progress.map((p) => [p.id, p]));
  const { voters, learners } = status.config;
  const members = [...voters, ...learners].map((id) => {
    const p = progress.get(id);
    const self = id === core.options.id;
    const role = id === status.leaderId ? 'leader' : learners.includes(id) ? 'learner' : 'follower';
    let health = 'unknown';
    if (self) health = core.storageError ? 'unhealthy' : 'up';
    else if (p) health = p.lastContactTicks <= electionTicks ? 'up' : 'down';
    return {
      id,
      url: core.urlOf(id),
      role,
      voter: voters.includes(id),
      health,
      match_index: self ? status.lastIndex : (p?.matchIndex ?? null),
      lag: p ? Math.max(0, status.lastIndex - p.matchIndex) : null,
      last_contact_ms: p && !self ? p.lastContactTicks * core.options.tickIntervalMs : null,
    };
  });
  return { leader_id: status.leaderId, term: status.term, node_id: core.options.id, members };
}
