/**
 * A real redis-server for tests and benchmarks: loopback only, a free port, no persistence.
 *
 *   const server = await RedisServer.start();
 *   server.url;          // redis://127.0.0.1:PORT
 *   await server.stop(); // and server.restart() to bring it back on the same port
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ['--requirepass', 'secret']. */
  readonly args?: readonly string[];
  /** Password for the readiness check, when args set one. */
  readonly password?: string;
  /** How long to wait for the first PING answer, in ms. @default 10000 */
  readonly startTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; it is free again once we close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a loopback listener'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Throws a clear error when redis-server is not installed. */
export function assertRedisServerInstalled(): void {
  const probe = spawnSync(REDIS_SERVER_BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `redis-server is needed for the joblock tests and benchmark but "${REDIS_SERVER_BINARY} --version" failed `
      + `(${probe.error?.message ?? probe.stderr.trim()}). Install it with: apt-get install -y redis-server `
      + '(or set REDIS_SERVER_BIN to its path).',
    );
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    child.kill('SIGKILL');
  }
});

export class RedisServer {
  /** Starts a redis-server on a free loopback port and waits until it answers PING. */
  public static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    assertRedisServerInstalled();
    const server = new RedisServer(await freePort(), options);
    await server.restart();
    return server;
  }

  private child: ChildProcess | undefined;
  private output = '';
  private readonly dir: string;

  private constructor(public readonly port: number, private readonly options: RedisServerOptions) {
    this.dir = mkdtempSync(join(tmpdir(), 'joblock-redis-'));
  }

  public get host(): string {
    return '127.0.0.1';
  }

  /** redis://[:password@]127.0.0.1:PORT */
  public get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : '';
    return `redis://${auth}${this.host}:${this.port}`;
  }

  public get isRunning(): boolean {
    return this.child !== undefined;
  }

  /** A new ioredis client for this server (the caller quits it). */
  public client(): Redis {
    return new Redis({ host: this.host, port: this.port, password: this.options.password, maxRetriesPerRequest: 1 });
  }

  /** Starts the server (again) on the same port; resolves once it answers PING. */
  public async restart(): Promise<void> {
    if (this.child) {
      return;
    }
    this.output = '';
    const args = [
      '--port', String(this.port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', this.dir,
      '--protected-mode', 'yes',
      ...(this.options.args ?? []),
    ];
    const child = spawn(REDIS_SERVER_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', () => {
      running.delete(child);
      if (this.child === child) {
        this.child = undefined;
      }
    });
    await this.waitForPing(child, this.options.startTimeoutMs ?? 10_000);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits until it has exited. */
  public async stop(): Promise<void> {
    const child = this.child;
    if (!child) {
      return;
    }
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
      } else {
        child.once('exit', () => resolve());
      }
    });
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }

  /** Stops the server and removes its working directory. */
  public async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitForPing(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no answer yet';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`redis-server on port ${this.port} exited (${child.exitCode ?? child.signalCode}) before answering PING:\n${this.output}`);
      }
      const probe = new Redis({
        host: this.host,
        port: this.port,
        password: this.options.password,
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        connectTimeout: 500,
        enableOfflineQueue: false,
        disconnectTimeout: 50,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        if ((await probe.ping()) === 'PONG') {
          return;
        }
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      } finally {
        probe.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await this.stop();
    throw new Error(`redis-server on port ${this.port} did not answer PING within ${timeoutMs} ms (${lastError}):\n${this.output}`);
  }
}
