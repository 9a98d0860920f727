/**
 * A small lab of "hosts" made of Linux network namespaces, for multi-host tests: each host is a
 * namespace with its own address on a private test subnet (10.213.<n>.0/24), joined by veth
 * pairs to a bridge that lives in a namespace of its own. The test process (root namespace)
 * reaches the hosts through one more veth into that bridge, like a client on the same LAN.
 *
 * Nothing can leave the machine: the host namespaces have no default route, and before any link
 * goes down a blackhole route for the test subnet is added in the root namespace, so its traffic
 * never falls through to the default route. `close()` removes every namespace, link, route and
 * file it made, and is safe to call after a partial setup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';

/** The first two octets of every test subnet; the third is random per lab (parallel runs). */
export const TEST_NET_PREFIX = '10.213';
/** The root namespace's address on the test subnet (the test's client side). */
const CLIENT_HOST_OCTET = 254;
/** Metric of the safety blackhole route: above the connected route, which wins while it exists. */
const BLACKHOLE_METRIC = 4242;
/** Where `ip netns exec` finds per-namespace /etc files (it bind-mounts them over /etc). */
const NETNS_ETC = '/etc/netns';

/** Why a lab cannot be built here, or null when it can (root, `ip netns`, veth, bridge). */
export async function labUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces need it)';
  const probe = await execa('ip', ['netns', 'list'], { reject: false });
  if (probe.failed) return `"ip netns" is unavailable: ${probe.stderr || probe.message}`;
  return null;
}

async function ip(args: readonly string[]): Promise<void> {
  await execa('ip', args);
}

/** One host: a namespace with an interface on the test subnet. */
export interface LabHost {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
  /** The host's own end of its link (set down to cut the host off). */
  readonly link: string;
}

/** A set of namespaced hosts on one bridged test subnet. */
export class NetnsLab {
  readonly subnet: string;
  readonly hosts: LabHost[] = [];
  readonly #id = randomInt(0x10000).toString(16).padStart(4, '0');
  readonly #third = randomInt(1, 255);
  readonly #bridgeNs = `lcmh${this.#id}b`;
  readonly #namespaces: string[] = [];
  readonly #etcDirs: string[] = [];
  readonly #processes: ChildProcess[] = [];
  /** Links created in the root namespace (deleted in close() unless moved away already). */
  readonly #rootLinks: string[] = [];
  #blackhole = false;

  constructor() {
    this.subnet = `${TEST_NET_PREFIX}.${this.#third}.0/24`;
  }

  /** The address of the root namespace (the test's client) on the subnet. */
  get clientAddress(): string {
    return `${TEST_NET_PREFIX}.${this.#third}.${CLIENT_HOST_OCTET}`;
  }

  /** Builds the bridge, the hosts (named `names`, addresses .1, .2, ...) and the client link. */
  async build(names: readonly string[]): Promise<void> {
    // The safety net first: from now on the test subnet can never use the default route.
    await ip(['route', 'add', 'blackhole', this.subnet, 'metric', String(BLACKHOLE_METRIC)]);
    this.#blackhole = true;
    await this.#namespace(this.#bridgeNs);
    await ip(['-n', this.#bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', this.#bridgeNs, 'link', 'set', 'br0', 'up']);
    for (const [i, name] of names.entries()) {
      const namespace = `lcmh${this.#id}h${i + 1}`;
      const link = `lcmh${this.#id}n${i + 1}`;
      const address = `${TEST_NET_PREFIX}.${this.#third}.${i + 1}`;
      await this.#namespace(namespace);
      await this.#veth(link, namespace, `lcmh${this.#id}p${i + 1}`);
      await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
      await ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', link]);
      await ip(['-n', namespace, 'link', 'set', link, 'up']);
      this.hosts.push({ name, namespace, address, link });
    }
    // Host names resolve in every namespace, as service names do on a compose network.
    const hostsFile = ['127.0.0.1 localhost', ...this.hosts.map((h) => `${h.address} ${h.name}`), ''].join(
      '\n',
    );
    for (const host of this.hosts) {
      const dir = `${NETNS_ETC}/${host.namespace}`;
      mkdirSync(dir, { recursive: true });
      this.#etcDirs.push(dir);
      writeFileSync(`${dir}/hosts`, hostsFile);
    }
    // The client link: the root namespace joins the bridge with the .254 address.
    const rootLink = `lcmh${this.#id}c`;
    this.#rootLinks.push(rootLink);
    await ip(['link', 'add', rootLink, 'type', 'veth', 'peer', 'name', `lcmh${this.#id}q`]);
    await ip(['link', 'set', `lcmh${this.#id}q`, 'netns', this.#bridgeNs]);
    await ip(['-n', this.#bridgeNs, 'link', 'set', `lcmh${this.#id}q`, 'master', 'br0', 'up']);
    await ip(['addr', 'add', `${this.clientAddress}/24`, 'dev', rootLink]);
    await ip(['link', 'set', rootLink, 'up']);
  }

  /** Routes of a host's namespace other than its own subnet (must be none: no way out). */
  async foreignRoutes(host: LabHost): Promise<string[]> {
    const { stdout } = await execa('ip', ['-n', host.namespace, 'route', 'show']);
    return stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith(this.subnet));
  }

  /** Sets a host's link down (a cable pulled) or up again. */
  async setLink(host: LabHost, up: boolean): Promise<void> {
    if (!this.#blackhole) throw new Error('the blackhole route must exist before a link changes');
    await ip(['-n', host.namespace, 'link', 'set', host.link, up ? 'up' : 'down']);
  }

  /** Starts `argv` inside the host's namespace (`ip netns exec` execs it: the pid is the command's). */
  start(host: LabHost, argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', host.namespace, ...argv], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#processes.push(child);
    return child;
  }

  /** Runs a short command inside the host's namespace and returns its stdout. */
  async run(host: LabHost, argv: readonly string[], timeoutMs = 15_000): Promise<string> {
    const { stdout } = await execa('ip', ['netns', 'exec', host.namespace, ...argv], { timeout: timeoutMs });
    return stdout;
  }

  /** Kills every started process, then removes namespaces, links, the route and /etc/netns files. */
  async close(): Promise<void> {
    for (const child of this.#processes) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    await Promise.all(
      this.#processes.map((child) =>
        child.exitCode !== null || child.signalCode !== null
          ? undefined
          : new Promise((resolve) => child.once('exit', resolve)),
      ),
    );
    for (const link of this.#rootLinks) await execa('ip', ['link', 'del', link], { reject: false });
    for (const namespace of this.#namespaces.reverse()) {
      await execa('ip', ['netns', 'del', namespace], { reject: false });
    }
    for (const dir of this.#etcDirs) rmSync(dir, { recursive: true, force: true });
    try {
      rmdirSync(NETNS_ETC); // only when empty: other namespaces may use it
    } catch {
      // not empty or already gone
    }
    if (this.#blackhole) {
      await execa('ip', ['route', 'del', 'blackhole', this.subnet, 'metric', String(BLACKHOLE_METRIC)], {
        reject: false,
      });
    }
  }

  async #namespace(name: string): Promise<void> {
    await ip(['netns', 'add', name]);
    this.#namespaces.push(name);
  }

  /** A veth pair: `inside` goes to `namespace`, `bridgeEnd` to the bridge namespace's br0. */
  async #veth(inside: string, namespace: string, bridgeEnd: string): Promise<void> {
    this.#rootLinks.push(inside);
    await ip(['link', 'add', inside, 'type', 'veth', 'peer', 'name', bridgeEnd]);
    await ip(['link', 'set', inside, 'netns', namespace]);
    await ip(['link', 'set', bridgeEnd, 'netns', this.#bridgeNs]);
    await ip(['-n', this.#bridgeNs, 'link', 'set', bridgeEnd, 'master', 'br0', 'up']);
  }
}
