/**
 * Log levels, ordered by severity. The code (array position) is what the indexes store, so the
 * order is part of the on-disk meaning of nothing but the in-memory index: safe to extend at the end.
 */

/** The accepted level names, least severe first. */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** One level name. */
export type Level = (typeof LEVELS)[number];

/** The level an entry gets when it names none. */
export const LEVEL_DEFAULT: Level = 'info';

const BY_NAME = new Map<string, Level>(LEVELS.map((level) => [level, level]));
BY_NAME.set('warning', 'warn');

/** The level a client's spelling means (case-insensitive; `warning` is `warn`), or undefined. */
export function parseLevel(name: string): Level | undefined {
  return BY_NAME.get(name) ?? BY_NAME.get(name.toLowerCase());
}

/** The level's severity code: its position in LEVELS. */
export function levelCode(level: Level): number {
  return LEVELS.indexOf(level);
}

/** The human list used in error messages. */
export const LEVELS_TEXT = LEVELS.join(', ');
