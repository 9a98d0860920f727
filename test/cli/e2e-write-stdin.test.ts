import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { CLI_PATH, json } from '../helpers/cli.js';
import { startThree } from './fault-cycle.js';

/** Issue 5: `cat 10000-lines.txt | logcluster write -` stores every line exactly once. */
const LINES = 10_000;
/** Enough lines for several batches, so a progress line is drawn on the terminal. */
const TTY_LINES = 2000;

test('write - stores 10,000 piped lines exactly once, with progress on a TTY only', async (t) => {
  const { fx } = await startThree(t);
  const file = join(fx.dataDir, 'lines.txt');
  await writeFile(
    file,
    Array.from({ length: LINES }, (_, i) => `line ${i + 1} of the bulk test`).join('\n') + '\n',
  );

  const piped = await fx.run(['write', '-', '--source', 'bulk'], { inputFile: file });
  t.is(piped.exitCode, 0, piped.stderr as string);
  t.is(piped.stdout, `wrote ${LINES} entries`);
  t.is(piped.stderr, '', 'no progress line when stderr is not a terminal');
  const count = json<{ count: number }>(await fx.run(['query', '--source', 'bulk', '--count', '--json']));
  t.is(count.count, LINES);
  const last = json<{ entries: { original_data: { message: string } }[] }>(
    await fx.run(['query', '--source', 'bulk', '--order', 'desc', '--limit', '1', '--json']),
  );
  t.is(last.entries[0].original_data.message, `line ${LINES} of the bulk test`);

  const small = join(fx.dataDir, 'small.txt');
  await writeFile(small, Array.from({ length: TTY_LINES }, (_, i) => `tty line ${i}`).join('\n'));
  const command = `${process.execPath} ${CLI_PATH} write - --source tty --data-dir ${fx.dataDir} < ${small}`;
  const tty = await execa('script', ['-qefc', command, '/dev/null'], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
  t.is(tty.exitCode, 0, String(tty.stdout));
  t.regex(String(tty.stdout), /writing\.\.\. \d+ entries/, 'a progress line on the terminal');
  t.regex(String(tty.stdout), new RegExp(`wrote ${TTY_LINES} entries`));
  const ttyCount = json<{ count: number }>(await fx.run(['query', '--source', 'tty', '--count', '--json']));
  t.is(ttyCount.count, TTY_LINES);
});
