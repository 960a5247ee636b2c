import { parseArgs, RunOptions, UsageError } from '../../runtime/joblock/src/args';
import { describeTarget, parseRedisUrl, redactRedisUrl, RedisUrlError } from '../../runtime/joblock/src/connection';
import { DurationError, formatDuration, parseDuration } from '../../runtime/joblock/src/duration';
import { defaultTick, formatTick, parseTick, TickError } from '../../runtime/joblock/src/tick';
import { main } from '../../runtime/joblock/src/cli';
import { EXIT_USAGE } from '../../runtime/joblock/src/exit-codes';

describe('parseDuration', () => {
  test.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['90', 90_000],
    ['1.5', 1_500],
    ['1.5s', 1_500],
    [' 2M ', 120_000],
    ['0', 0],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['5x', '', 's', '-5s', '5 s', '1e3', 'abc', '5m-', '.5s'])('rejects %p', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(/invalid duration .*e\.g\. 30s, 5m, 2h, 1d/);
  });

  test('rejects more than 366 days', () => {
    expect(() => parseDuration('367d')).toThrow(/too long/);
  });

  test('formatDuration', () => {
    expect(formatDuration(250)).toBe('250ms');
    expect(formatDuration(1_500)).toBe('1.5s');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(86_400_000)).toBe('1d');
  });
});

describe('ticks', () => {
  const slot = Date.UTC(2026, 10, 22, 8, 0, 0);

  test.each([
    '2026-11-22T08:00:00Z',
    '2026-11-22T08:00Z',
    '2026-11-22T08:00:00.999Z',
    '2026-11-22t08:00:00z',
    '2026-11-22T09:00:00+01:00',
    '2026-11-22T03:00:00-0500',
    String(slot / 1000),
  ])('%s is the 08:00 UTC slot', (text) => {
    expect(parseTick(text)).toBe(slot);
    expect(formatTick(parseTick(text))).toBe('2026-11-22T08:00:00Z');
  });

  test.each([
    ['2026-11-22T08:00:00', /no time zone/],
    ['2026-11-22 08:00', /no time zone/],
    ['2026-02-30T08:00:00Z', /not a real date/],
    ['2026-11-22T24:00:00Z', /not a real date/],
    ['2026-11-22T08:00:00+25:00', /bad UTC offset/],
    ['1795334400000', /looks like milliseconds/],
    ['yesterday', /ISO-8601 with a time zone/],
    ['-5', /ISO-8601/],
  ])('rejects %s', (text, message) => {
    expect(() => parseTick(text)).toThrow(TickError);
    expect(() => parseTick(text)).toThrow(message);
  });

  test('default tick is now floored to the minute', () => {
    expect(formatTick(defaultTick(Date.UTC(2026, 10, 22, 8, 0, 59, 999)))).toBe('2026-11-22T08:00:00Z');
  });
});

describe('parseRedisUrl', () => {
  test('redis:// with password, port and db', () => {
    expect(parseRedisUrl('redis://:s%40cret@cache.internal:6380/2')).toEqual({
      host: 'cache.internal', port: 6380, username: undefined, password: 's@cret', db: 2, tls: false,
    });
  });

  test('rediss:// with user and password uses TLS and the default port', () => {
    const target = parseRedisUrl('rediss://app:pw@master.x.cache.amazonaws.com');
    expect(target).toMatchObject({ host: 'master.x.cache.amazonaws.com', port: 6379, username: 'app', password: 'pw', db: 0, tls: true });
    expect(describeTarget(target)).toBe('rediss://app@master.x.cache.amazonaws.com:6379/0');
  });

  test.each([
    ['http://localhost:6379', /unsupported Redis URL scheme "http:"/],
    ['localhost:6379', /unsupported Redis URL scheme/],
    ['not a url', /invalid Redis URL/],
    ['redis://localhost/abc', /not a database number/],
    ['redis://localhost?tls=true', /query/],
  ])('rejects %s', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(RedisUrlError);
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  test('errors never show the password', () => {
    expect(redactRedisUrl('redis://user:hunter2@host:1/x')).toBe('redis://user:***@host:1/x');
    expect(() => parseRedisUrl('redis://user:hunter2@host:1/x')).toThrow(/user:\*\*\*@/);
    expect(() => parseRedisUrl('redis://user:hunter2@host:1/x')).not.toThrow(/hunter2/);
  });
});

describe('parseArgs', () => {
  const env = { JOBLOCK_REDIS_URL: 'redis://127.0.0.1:6379' };
  const now = Date.UTC(2026, 10, 22, 8, 0, 42);
  const run = (argv: string[], e: Record<string, string | undefined> = env): RunOptions => {
    const parsed = parseArgs(argv, e, now);
    if (parsed.kind !== 'run') {
      throw new Error('expected run');
    }
    return parsed.options;
  };

  test('full command line', () => {
    const options = run(['run', '--name', 'nightly', '--ttl=5m', '--tick', '2026-11-22T08:00:00Z', '--keep', '2d', '--grace', '1s',
      '--redis', 'rediss://:x@h:6380', '--connect-timeout', '2s', '--quiet', '--', 'php', 'artisan', '--force']);
    expect(options).toEqual({
      name: 'nightly', ttlMs: 300_000, tickMs: Date.UTC(2026, 10, 22, 8), tickGiven: true, keepMs: 172_800_000, graceMs: 1_000,
      connectTimeoutMs: 2_000, redis: { host: 'h', port: 6380, username: undefined, password: 'x', db: 0, tls: true }, quiet: true,
      command: 'php', args: ['artisan', '--force'],
    });
  });

  test('defaults: tick = now floored to the minute, keep 24h, grace 10s, connect timeout 3s, URL from the environment', () => {
    const options = run(['run', '--name', 'n', '--ttl', '30', '--', 'true']);
    expect(options.tickMs).toBe(Date.UTC(2026, 10, 22, 8, 0, 0));
    expect(options.tickGiven).toBe(false);
    expect(options.keepMs).toBe(86_400_000);
    expect(options.graceMs).toBe(10_000);
    expect(options.connectTimeoutMs).toBe(3_000);
    expect(options.redis.port).toBe(6379);
  });

  test.each([
    [['--help'], 'help'],
    [['-h'], 'help'],
    [['help'], 'help'],
    [['run', '--help'], 'help'],
    [['run', '--name', 'x', '-h', '--', 'true'], 'help'],
  ])('%p prints help', (argv, kind) => {
    expect(parseArgs(argv, env).kind).toBe(kind);
  });

  test.each([
    [[], /missing subcommand/],
    [['start'], /unknown subcommand "start": the only subcommand is "run"/],
    [['--name', 'x'], /unknown subcommand "--name": put "run" first/],
    [['run', '--nmae', 'x', '--ttl', '5m', '--', 'true'], /unknown flag "--nmae": did you mean --name\?/],
    [['run', '--bogus', '--', 'true'], /unknown flag "--bogus": known flags are --name, --ttl/],
    [['run', '--ttl', '5m', '--', 'true'], /missing --name: name the job, e\.g\. --name nightly-cleanup/],
    [['run', '--name', 'a b', '--ttl', '5m', '--', 'true'], /--name "a b" is not a valid job name/],
    [['run', '--name', 'x', '--', 'true'], /missing --ttl: .* e\.g\. --ttl 5m/],
    [['run', '--name', 'x', '--ttl', '5x', '--', 'true'], /--ttl: invalid duration "5x": use a number of seconds or a number with a unit/],
    [['run', '--name', 'x', '--ttl', '0', '--', 'true'], /--ttl "0" is too short: it must be at least 1s/],
    [['run', '--name', 'x', '--ttl', '-5s', '--', 'true'], /--ttl: invalid duration "-5s"/],
    [['run', '--name', 'x', '--ttl'], /--ttl needs a value, e\.g\. --ttl 5m/],
    [['run', '--name', '--ttl', '5m', '--', 'true'], /--name needs a value/],
    [['run', '--name', 'x', '--name', 'y', '--ttl', '5m', '--', 'true'], /--name is given more than once/],
    [['run', '--name', 'x', '--ttl', '5m', '--keep', '1m', '--', 'true'], /--keep "1m" is shorter than --ttl "5m": .* use --keep 5m or more/],
    [['run', '--name', 'x', '--ttl', '5m', '--tick', 'noon', '--', 'true'], /--tick: invalid tick "noon"/],
    [['run', '--name', 'x', '--ttl', '5m', '--connect-timeout', '0', '--', 'true'], /--connect-timeout "0" must be greater than 0/],
    [['run', '--name', 'x', '--ttl', '5m', '--quiet=yes', '--', 'true'], /--quiet takes no value/],
    [['run', '--name', 'x', '--ttl', '5m', 'true'], /unexpected argument "true": put the command after "--"/],
    [['run', '--name', 'x', '--ttl', '5m'], /missing command: put it after "--"/],
    [['run', '--name', 'x', '--ttl', '5m', '--'], /missing command after "--"/],
    [['run', '--name', 'x', '--ttl', '5m', '--redis', 'http://h', '--', 'true'], /--redis: unsupported Redis URL scheme "http:"/],
  ])('%p is a usage error', (argv, message) => {
    expect(() => parseArgs(argv, env)).toThrow(UsageError);
    expect(() => parseArgs(argv, env)).toThrow(message);
  });

  test('no lock store configured', () => {
    expect(() => parseArgs(['run', '--name', 'x', '--ttl', '5m', '--', 'true'], {})).toThrow(/no lock store: set JOBLOCK_REDIS_URL or pass --redis/);
  });

  test('a bad URL from the environment names the variable', () => {
    expect(() => parseArgs(['run', '--name', 'x', '--ttl', '5m', '--', 'true'], { JOBLOCK_REDIS_URL: 'redis//x' })).toThrow(/^JOBLOCK_REDIS_URL: /);
  });
});

describe('main (in-process)', () => {
  test('usage errors return EX_USAGE and print the hint on stderr', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['run', '--name', 'x'], {}, { out: (t) => out.push(t), err: (t) => err.push(t) });
    expect(code).toBe(EXIT_USAGE);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(/^joblock: missing --ttl.*\nRun "joblock run --help" for usage\.\n$/s);
  });

  test('--help returns 0 and prints usage on stdout', async () => {
    const out: string[] = [];
    const code = await main(['--help'], {}, { out: (t) => out.push(t), err: () => undefined });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(/^Usage: joblock run --name NAME --ttl DURATION/);
    expect(out.join('')).toMatch(/missed tick is skipped, not caught up/);
  });
});
