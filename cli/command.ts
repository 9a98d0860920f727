/**
 * One shape for every command module: its yargs builder, help examples, and a typed handler.
 */
import type { Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from './context.js';

/** What a command file declares. */
export interface CommandSpec<A extends GlobalArgs> {
  /** yargs command string, e.g. 'read <ref>'. */
  readonly command: string;
  readonly describe: string;
  readonly aliases?: readonly string[];
  /** Adds the command's own options and positionals. */
  readonly builder?: (yargs: Argv) => Argv;
  /** [command line, what it does] pairs shown by --help. */
  readonly examples: readonly (readonly [string, string])[];
  readonly handler: (args: A) => Promise<void>;
}

/** Turns a spec into a yargs CommandModule (examples attached to the command's help). */
export function defineCommand<A extends GlobalArgs>(spec: CommandSpec<A>): CommandModule {
  return {
    command: spec.command,
    describe: spec.describe,
    aliases: spec.aliases,
    builder: (yargs: Argv) => {
      const built = spec.builder ? spec.builder(yargs) : yargs;
      for (const [line, what] of spec.examples) built.example(line, what);
      return built;
    },
    handler: (args) => spec.handler(args as unknown as A),
  };
}

/**
 * What a lone `-` argument (stdin) becomes before yargs sees it: yargs drops a bare `-` from
 * positionals, so main() swaps it for this marker, which no one types.
 */
export const STDIN_ARG = '\u0000stdin';
