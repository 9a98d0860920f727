import test from 'ava';
import { SyslogFramer, SyslogFramingError } from '../../lib/integrations/syslog/framing.js';
import { fromSyslog } from '../../lib/integrations/syslog/map.js';
import { parseSyslog } from '../../lib/integrations/syslog/parse.js';
import { validateEntry } from '../../lib/node/entries/validate.js';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0);

function parse(text: string) {
  const result = parseSyslog(text, NOW);
  if (!result.ok) throw new Error(result.reason);
  return result.message;
}

test('RFC 5424: header, structured data with escapes, BOM, nil values', (t) => {
  const m = parse(
    '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lication" eventID="1011"][examplePriority@32473 class="high"] \uFEFFAn application event',
  );
  t.is(m.format, 'rfc5424');
  t.is(m.facility, 20);
  t.is(m.severity, 5);
  t.is(m.timestampMs, Date.UTC(2003, 9, 11, 22, 14, 15, 3));
  t.is(m.hostname, 'mymachine.example.com');
  t.is(m.appName, 'evntslog');
  t.is(m.procId, '1234');
  t.is(m.msgId, 'ID47');
  t.deepEqual(m.structuredData, {
    'exampleSDID@32473': { iut: '3', eventSource: 'App"lication', eventID: '1011' },
    'examplePriority@32473': { class: 'high' },
  });
  t.is(m.message, 'An application event');
  const nil = parse('<13>1 - - - - - -');
  t.deepEqual(
    [nil.timestampMs, nil.hostname, nil.appName, nil.message],
    [undefined, undefined, undefined, ''],
  );
  const entry = validateEntry(fromSyslog(m));
  t.is(entry.original.level, 'info');
  t.is(entry.original.source, 'evntslog');
  t.is(entry.original.labels?.facility, 'local4');
  t.is(entry.original.labels?.severity, 'notice');
  t.is(entry.original.labels?.['sd.exampleSDID_32473.eventSource'], 'App"lication');
});

test('RFC 3164: BSD timestamps get a year, host and tag[pid] are split; variants are tolerated', (t) => {
  const m = parse("<34>Oct 11 22:14:15 mymachine su[99]: 'su root' failed for lonvick on /dev/pts/8");
  t.is(m.format, 'rfc3164');
  t.is(m.facility, 4);
  t.is(m.severity, 2);
  t.is(new Date(m.timestampMs!).getFullYear(), 2023, 'October is after June 15th: last year');
  t.is(m.hostname, 'mymachine');
  t.is(m.appName, 'su');
  t.is(m.procId, '99');
  t.is(m.message, "'su root' failed for lonvick on /dev/pts/8");
  const iso = parse('<14>2024-06-15T11:59:00+00:00 web nginx: GET /');
  t.deepEqual(
    [iso.timestampMs, iso.hostname, iso.appName, iso.message],
    [Date.UTC(2024, 5, 15, 11, 59), 'web', 'nginx', 'GET /'],
  );
  const bare = parse('<14>just a message');
  t.deepEqual([bare.timestampMs, bare.appName, bare.message], [undefined, undefined, 'just a message']);
  t.is(validateEntry(fromSyslog(bare)).original.source, 'syslog');
  t.is(validateEntry(fromSyslog(parse('<11>Jun  1 00:00:00 h a: x'))).original.level, 'error');
});

test('no or invalid PRI is refused with a reason', (t) => {
  for (const text of ['hello', '<>x', '<192>x', '<01>x', '<1x>']) {
    const result = parseSyslog(text, NOW);
    t.false(result.ok, text);
  }
});

test('TCP framing: octet-counted and newline frames, split anywhere, mixed; bounds', (t) => {
  const stream = Buffer.from('11 <13>1 - - -<14>a: line one\r\n5 <13>x<15>b: two\n');
  for (let cut = 0; cut <= stream.length; cut++) {
    const framer = new SyslogFramer();
    const frames = [...framer.push(stream.subarray(0, cut)), ...framer.push(stream.subarray(cut))];
    t.deepEqual(
      frames.map((f) => f.toString()),
      ['<13>1 - - -', '<14>a: line one', '<13>x', '<15>b: two'],
      `cut at ${cut}`,
    );
  }
  const small = new SyslogFramer(16);
  t.deepEqual(small.push(Buffer.from(`<13>${'x'.repeat(30)}\n<13>ok\n`)).map(String), ['<13>ok']);
  t.is(small.skipped, 1);
  t.deepEqual(small.push(Buffer.from('<13>' + 'y'.repeat(20))), []);
  t.deepEqual(
    small.push(Buffer.from('yy\n<13>next\n')).map(String),
    ['<13>next'],
    'an overlong line is skipped to its newline',
  );
  t.throws(() => new SyslogFramer(16).push(Buffer.from('99 <13>x')), { instanceOf: SyslogFramingError });
  t.throws(() => new SyslogFramer(16).push(Buffer.from('1x <13>x')), { instanceOf: SyslogFramingError });
  const tail = new SyslogFramer();
  t.deepEqual(tail.push(Buffer.from('<13>no newline')), []);
  t.deepEqual(tail.end().map(String), ['<13>no newline']);
});
