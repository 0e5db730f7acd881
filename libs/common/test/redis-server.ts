import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createClient } from 'redis';

/*
 * A Redis for specs: REDIS_URL when it is set (the specs write, then delete, keys under prefixes
 * of their own there), else a redis-server from the PATH started on a free loopback port,
 * without persistence, in its own temporary directory. With neither, Redis specs are skipped
 * with a message saying how to run them, except under CI=true, where a missing Redis fails them.
 */

const HOW_TO_RUN =
  'install redis-server (apt-get install -y redis-server) or set REDIS_URL=redis://host:port/db';

/** The redis-server executable on the PATH, if there is one. */
export function redisServerOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A redis-server process this harness started; it can be stopped, paused and started again. */
export class RedisTestServer {
  private child: ChildProcess | undefined;
  private paused = false;
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGKILL');
  };

  private constructor(
    private readonly binary: string,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts redis-server on a free port of 127.0.0.1. */
  static async start(binary = redisServerOnPath()): Promise<RedisTestServer> {
    if (binary === undefined) throw new Error(`no redis-server on the PATH: ${HOW_TO_RUN}`);
    const server = new RedisTestServer(
      binary,
      await freePort(),
      mkdtempSync(join(tmpdir(), 'redis-test-')),
    );
    process.once('exit', server.killOnExit);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on its port, empty, and resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (this.child !== undefined) return;
    // No persistence: nothing is written to the temporary directory but what Redis insists on.
    const settings = {
      port: String(this.port),
      bind: '127.0.0.1',
      save: '',
      appendonly: 'no',
      dir: this.dir,
      daemonize: 'no',
    };
    const args = Object.entries(settings).flatMap(([name, value]) => [`--${name}`, value]);
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.paused = false;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error('redis-server did not start in 10 s')), 10_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          child.stdout?.resume();
          resolve();
        }
      };
      const fail = (err: Error): void => {
        clearTimeout(timer);
        this.child = undefined;
        child.kill('SIGKILL');
        reject(new Error(`${err.message}\n${output}`));
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', fail);
      child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}`)));
    });
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    child.on('error', () => undefined);
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
  }

  /** Stops the server (connections drop, data is lost); `restart` brings it back. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (this.paused) this.resume();
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as in a hang. */
  pause(): void {
    this.child?.kill('SIGSTOP');
    this.paused = true;
  }

  /** Lets a paused server run again (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
    this.paused = false;
  }

  /** Stops the server and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    process.off('exit', this.killOnExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What a Redis spec is handed: valid inside its hooks and tests, not while they are declared. */
export interface RedisUnderTest {
  /** Where the specs' Redis is. */
  readonly url: string;
  /** The server the harness started; undefined when REDIS_URL is used. */
  readonly server: RedisTestServer | undefined;
  /** A key prefix no other fixture of this run uses, so fixtures need no flush between them. */
  freshPrefix(): string;
}

export interface RedisSpecOptions {
  /**
   * The specs stop, pause or restart the server, so they need one the harness starts
   * (redis-server on the PATH), whatever REDIS_URL says.
   */
  ownServer?: boolean;
}

/**
 * `describe(name, body)` against a real Redis: a server the harness starts is started and flushed
 * before the suite and stopped after it; every suite's keys (all under its own prefixes) are
 * deleted after it, so that suites in parallel Jest workers sharing one REDIS_URL never wipe
 * each other's keys. Skipped with a message without Redis, failed without Redis under CI=true.
 */
export function describeWithRedis(
  name: string,
  body: (redis: RedisUnderTest) => void,
  options: RedisSpecOptions = {},
): void {
  const sharedUrl = options.ownServer ? undefined : process.env.REDIS_URL || undefined;
  const binary = redisServerOnPath();
  if (sharedUrl === undefined && binary === undefined) {
    const why = options.ownServer
      ? `${name} stops and restarts its own Redis, so it needs redis-server on the PATH`
      : `${name} needs Redis`;
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('has a Redis to run against', () => {
          throw new Error(`${why}: ${HOW_TO_RUN}`);
        });
      });
    } else {
      console.warn(`skipped: ${why}; to run it, ${HOW_TO_RUN}`);
      describe.skip(name, () => body(unavailable()));
    }
    return;
  }

  let url: string | undefined = sharedUrl;
  let server: RedisTestServer | undefined;
  let prefixes = 0;
  const run = `t${process.pid}-${Date.now().toString(36)}`;
  const redis: RedisUnderTest = {
    get url() {
      if (url === undefined)
        throw new Error('Redis is not started yet (use it inside hooks and tests)');
      return url;
    },
    get server() {
      return server;
    },
    freshPrefix: () => `${run}:${++prefixes}:`,
  };

  describe(name, () => {
    beforeAll(async () => {
      if (url === undefined) {
        server = await RedisTestServer.start(binary);
        url = server.url;
        await flush(url);
      }
    }, 15_000);

    afterAll(async () => {
      if (server === undefined && url !== undefined) await flush(url, `${run}:*`);
      await server?.close();
    });

    body(redis);
  });
}

/** Empties the database `url` names, or deletes only the keys that match `pattern`. */
export async function flush(url: string, pattern?: string): Promise<void> {
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (pattern === undefined) {
      await client.flushDb();
    } else {
      for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1_000 })) {
        if (keys.length > 0) await client.unlink(keys);
      }
    }
  } finally {
    client.destroy();
  }
}

function unavailable(): RedisUnderTest {
  const missing = (): never => {
    throw new Error(`no Redis: ${HOW_TO_RUN}`);
  };
  return {
    get url() {
      return missing();
    },
    server: undefined,
    freshPrefix: missing,
  };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
