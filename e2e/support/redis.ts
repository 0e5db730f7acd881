/**
 * A Redis for the end-to-end suites: a `redis-server` from the PATH that the suite starts on a
 * free loopback port (and may stop and start again on the same port), or, when REDIS_URL is set,
 * that server, used under a key prefix of the run's own and cleaned up after. With neither, the
 * suites that need one are skipped with a message saying how to run them, except under CI=true,
 * where a missing Redis is a failure.
 *
 * libs/common/test/redis-server.ts does the same for Jest; this one is separate because Node's
 * type stripping cannot run that file (constructor parameter properties) and it is built on
 * Jest's globals.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, appendFileSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createClient } from 'redis';
import { freePort, MARK, RUN_LOG_DIR, sleep } from './stack.ts';

export const HOW_TO_RUN_WITH_REDIS =
  'install redis-server (apt-get install -y redis-server) or set REDIS_URL=redis://host:port/db';

/** Where a suite's Redis comes from, decided when the suite is declared. */
export type RedisSource =
  | { kind: 'own'; binary: string }
  | { kind: 'shared'; url: string }
  | { kind: 'missing'; why: string };

/** REDIS_URL when set, else redis-server on the PATH, else missing. */
export function redisSource(env: NodeJS.ProcessEnv = process.env): RedisSource {
  if (env.REDIS_URL !== undefined && env.REDIS_URL !== '')
    return { kind: 'shared', url: env.REDIS_URL };
  const binary = onPath('redis-server', env.PATH ?? '');
  if (binary !== undefined) return { kind: 'own', binary };
  return { kind: 'missing', why: `needs Redis: ${HOW_TO_RUN_WITH_REDIS}` };
}

/**
 * The `skip` option of a suite that needs Redis: the reason when there is none (outside CI), or
 * false. Under CI=true a missing Redis is not skipped: the suite declares a failing test instead
 * (see `missingRedisFailure`).
 */
export function skipWithoutRedis(source: RedisSource): string | false {
  if (source.kind !== 'missing' || process.env.CI === 'true') return false;
  return source.why;
}

/** Under CI=true without Redis: the message of the test that must fail; otherwise undefined. */
export function missingRedisFailure(source: RedisSource): string | undefined {
  return source.kind === 'missing' && process.env.CI === 'true'
    ? `CI=true and no Redis: ${source.why}`
    : undefined;
}

/** The Redis a suite runs against: its URL, the key prefix its services use, and control over it. */
export class E2eRedis {
  readonly url: string;
  /** REDIS_KEY_PREFIX for the services: unique to this run, so a shared server is not disturbed. */
  readonly keyPrefix: string;
  /** The server this suite started, which it may stop and start; undefined with REDIS_URL. */
  readonly server: RedisServerProcess | undefined;

  private constructor(url: string, keyPrefix: string, server: RedisServerProcess | undefined) {
    this.url = url;
    this.keyPrefix = keyPrefix;
    this.server = server;
  }

  static async start(source: RedisSource, suite: string): Promise<E2eRedis> {
    const keyPrefix = `e2e-${suite}-${process.pid}-${Date.now().toString(36)}:`;
    switch (source.kind) {
      case 'shared':
        return new E2eRedis(source.url, keyPrefix, undefined);
      case 'own': {
        const server = await RedisServerProcess.start(source.binary, suite);
        return new E2eRedis(server.url, keyPrefix, server);
      }
      case 'missing':
        throw new Error(source.why);
    }
  }

  /** Stops the server this suite started, or deletes this run's keys from the shared one. */
  async close(): Promise<void> {
    if (this.server !== undefined) {
      await this.server.close();
      return;
    }
    const client = createClient({ url: this.url, disableOfflineQueue: true });
    client.on('error', () => undefined);
    await client.connect();
    try {
      for await (const keys of client.scanIterator({ MATCH: `${this.keyPrefix}*`, COUNT: 1000 })) {
        if (keys.length > 0) await client.unlink(keys);
      }
    } finally {
      client.destroy();
    }
  }
}

/** A redis-server on 127.0.0.1, without persistence, that can be stopped and started on its port. */
export class RedisServerProcess {
  readonly port: number;
  private readonly binary: string;
  private readonly dir: string;
  private readonly logFile: string;
  private child: ChildProcess | undefined;
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  private constructor(binary: string, port: number, suite: string) {
    this.binary = binary;
    this.port = port;
    this.dir = mkdtempSync(join(tmpdir(), 'e2e-redis-'));
    mkdirSync(RUN_LOG_DIR, { recursive: true });
    this.logFile = join(RUN_LOG_DIR, `${suite}.redis.log`);
  }

  static async start(binary: string, suite: string): Promise<RedisServerProcess> {
    const server = new RedisServerProcess(binary, await freePort(), suite);
    process.once('exit', server.killOnExit);
    await server.startServer();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server, empty, on its port; resolves once it answers PING. */
  async startServer(): Promise<void> {
    if (this.child !== undefined) throw new Error('redis-server is already running');
    // The settings docker-compose.scale.yml gives its Redis: nothing on disk, never evict.
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      this.dir,
    ];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => appendFileSync(this.logFile, chunk));
    child.stderr?.on('data', (chunk: Buffer) => appendFileSync(this.logFile, chunk));
    child.once('exit', (code, signal) => {
      appendFileSync(this.logFile, `${MARK}redis-server exited (${signal ?? code})\n`);
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (this.child !== child || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${this.port}; see ${this.logFile}`);
      }
      await sleep(25);
    }
  }

  /** SIGTERM and waits for the exit: every connection drops and every key is gone. */
  async stopServer(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async close(): Promise<void> {
    await this.stopServer();
    process.off('exit', this.killOnExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a Redis on 127.0.0.1:`port` answers an inline PING with +PONG within 500 ms. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function onPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
