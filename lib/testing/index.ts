/**
 * `logcluster/testing`: the deterministic doubles used by logcluster's own simulator, exported so
 * embedders can test their code with them (seeded PRNG, simulated disk, simulated network).
 */
export { Prng } from '../prng.js';
export type { CrashOptions, SimErrorCode, SimFileSystemOptions } from './sim-file-system.js';
export { SimFileSystem } from './sim-file-system.js';
export type { Addressed, NetworkFaults, NetworkStats } from './sim-network.js';
export { CALM_NETWORK, SimNetwork } from './sim-network.js';
