#!/usr/bin/env node
/**
 * The `logcluster` command. Until the CLI issue lands this prints its help and the version.
 */
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const HELP = `logcluster ${pkg.version} — a replicated, durable log store

Usage: logcluster <command> [options]

Commands (in progress):
  start        start a local cluster
  --help       show this help
  --version    show the version
`;

const arg = process.argv[2];
if (arg === '--version' || arg === '-v') {
  process.stdout.write(`${pkg.version}\n`);
} else {
  process.stdout.write(HELP);
}
