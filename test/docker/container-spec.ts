/**
 * What a container of docker/docker-compose.yml really runs, read from the Dockerfile's final
 * stage (ENV, WORKDIR, USER, ENTRYPOINT + CMD) and the service's compose environment — so the
 * multi-host test can run exactly that command without a Docker engine.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseYamlSubset, type YamlValue } from './yaml-subset.js';

export const DOCKER_DIR = fileURLToPath(new URL('../../docker/', import.meta.url));
export const DOCKERFILE_PATH = `${DOCKER_DIR}Dockerfile`;
export const COMPOSE_PATH = `${DOCKER_DIR}docker-compose.yml`;

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly stage: number;
}

/** The instructions of a Dockerfile, each with the index of its stage (0 = first FROM). */
export function dockerfileInstructions(text = readFileSync(DOCKERFILE_PATH, 'utf8')): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const [, op, args] = /^(\S+)\s*(.*)$/s.exec(whole)!;
    if (op.toUpperCase() === 'FROM') stage++;
    out.push({ op: op.toUpperCase(), args, stage });
  }
  return out;
}

/** ENV arguments: `A=1 B="two"` or the legacy `A 1`. */
export function envPairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+([^=]*)$/.exec(args);
  if (legacy) return { [legacy[1]]: legacy[2] };
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[match[1]] = match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2];
  }
  return out;
}

/** The final stage's runtime: argv (ENTRYPOINT + CMD, exec form), env, user, workdir. */
export function imageRuntime(instructions = dockerfileInstructions()) {
  const last = Math.max(...instructions.map((i) => i.stage));
  const final = instructions.filter((i) => i.stage === last);
  const json = (op: string): string[] => {
    const found = final.filter((i) => i.op === op).at(-1);
    return found ? (JSON.parse(found.args) as string[]) : [];
  };
  const env: Record<string, string> = {};
  for (const i of final.filter((x) => x.op === 'ENV')) Object.assign(env, envPairs(i.args));
  return {
    argv: [...json('ENTRYPOINT'), ...json('CMD')],
    env,
    user: final.filter((i) => i.op === 'USER').at(-1)?.args ?? 'root',
    workdir: final.filter((i) => i.op === 'WORKDIR').at(-1)?.args ?? '/',
  };
}

/** The compose file, parsed. */
export function composeFile(text = readFileSync(COMPOSE_PATH, 'utf8')): { [key: string]: YamlValue } {
  return parseYamlSubset(text);
}

/** `${NAME:-default}` / `${NAME}` interpolation as compose does it, from `vars`. */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => {
      const v = vars[name];
      return v === undefined || v === '' ? (fallback ?? '') : v;
    },
  );
}

/** What container `service` runs: argv and its full environment (image ENV, then compose's). */
export function containerCommand(
  service: string,
  vars: Record<string, string | undefined> = {},
): { argv: string[]; env: Record<string, string> } {
  const services = composeFile().services as Record<string, { environment?: Record<string, string> }>;
  const spec = services[service];
  if (!spec) throw new Error(`no service ${service} in ${COMPOSE_PATH}`);
  const runtime = imageRuntime();
  const env = { ...runtime.env };
  for (const [key, value] of Object.entries(spec.environment ?? {})) env[key] = interpolate(value, vars);
  return { argv: runtime.argv, env };
}
