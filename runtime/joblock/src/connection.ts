/**
 * Connection to the lock store: URL parsing and a fail-fast ioredis client.
 */
import Redis from 'ioredis';

export class RedisUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUrlError';
  }
}

export class LockStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockStoreError';
  }
}

class ConnectDeadlineError extends Error {}

/** Where and how to connect, parsed from a redis:// or rediss:// URL. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  readonly tls: boolean;
}

export const REDIS_URL_HINT = 'use redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], or rediss://... for TLS (percent-encode special characters in USER and PASSWORD)';

/** Parses a redis:// or rediss:// URL. Throws RedisUrlError; messages never contain the password. */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError(`invalid Redis URL "${redactRedisUrl(text)}": ${REDIS_URL_HINT}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisUrlError(`unsupported Redis URL scheme "${url.protocol}" in "${redactRedisUrl(text)}": ${REDIS_URL_HINT}`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) {
    throw new RedisUrlError(`Redis URL "${redactRedisUrl(text)}" has no host: ${REDIS_URL_HINT}`);
  }
  if (url.search || url.hash) {
    throw new RedisUrlError(`Redis URL "${redactRedisUrl(text)}" has a query or fragment, which joblock does not support: ${REDIS_URL_HINT}`);
  }
  const port = url.port ? Number(url.port) : 6379;
  let db = 0;
  const path = url.pathname.replace(/^\//, '');
  if (path) {
    if (!/^\d+$/.test(path)) {
      throw new RedisUrlError(`Redis URL "${redactRedisUrl(text)}" has path "/${path}", which is not a database number: ${REDIS_URL_HINT}`);
    }
    db = Number(path);
  }
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = url.username ? decodeURIComponent(url.username) : undefined;
    password = url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    throw new RedisUrlError(`Redis URL "${redactRedisUrl(text)}" has a badly percent-encoded user or password: ${REDIS_URL_HINT}`);
  }
  return { host, port, username, password, db, tls: url.protocol === 'rediss:' };
}

/** The URL with its password replaced by "***", for messages. */
export function redactRedisUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** Human-readable address, e.g. "rediss://cache.example.com:6379/0". */
export function describeTarget(target: RedisTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.tls ? 'rediss' : 'redis'}://${target.username ? `${target.username}@` : ''}${host}:${target.port}/${target.db}`;
}

export interface ConnectOptions {
  /** Budget for TCP connect, TLS handshake and AUTH, in ms. */
  readonly connectTimeoutMs: number;
  /** Per-command timeout, in ms. */
  readonly commandTimeoutMs: number;
}

/**
 * Connects with settings that fail fast instead of queueing or retrying forever:
 * no offline queue (commands fail at once while disconnected), no command retries, a connect
 * timeout and a command timeout. After the first connection, the client reconnects in the
 * background (backoff up to 1 s) so that lock renewals can resume after a blip.
 * Rejects with LockStoreError within about connectTimeoutMs; the client is then disconnected.
 */
export async function connectRedis(target: RedisTarget, options: ConnectOptions): Promise<Redis> {
  let lastError: Error | undefined;
  const redis = new Redis({
    host: target.host,
    port: target.port,
    username: target.username,
    password: target.password,
    db: target.db,
    tls: target.tls ? {} : undefined,
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // INFO (the ready check) may be denied to restricted ACL users; the first real command checks the connection.
    enableReadyCheck: false,
    disableClientInfo: true,
    connectionName: 'joblock',
    // How long disconnect() waits for a graceful close; also how long a dead socket's timer lingers.
    disconnectTimeout: 100,
    retryStrategy: (times: number) => Math.min(times * 100, 1_000),
  });
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        await redis.connect();
        // AUTH and SELECT are sent first on a new connection, so a PING answered in order proves them.
        await redis.ping();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new ConnectDeadlineError(`no answer within ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
      }),
    ]);
  } catch (error) {
    redis.disconnect();
    // ioredis rejects connect() with a generic "Connection is closed."; the 'error' event has the cause.
    const cause = error instanceof ConnectDeadlineError
      ? `${error.message}${lastError ? ` (last error: ${lastError.message})` : ''}`
      : errorMessage(lastError ?? error);
    throw new LockStoreError(`cannot reach the lock store at ${describeTarget(target)}: ${cause}`);
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/** Runs a promise with a deadline; rejects with a LockStoreError naming the operation on timeout. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LockStoreError(`${what} timed out after ${Math.round(ms)} ms`)), Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
