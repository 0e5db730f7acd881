import type { OnApplicationShutdown } from '@nestjs/common';
import { createClient, type RedisClientType, type RedisScripts } from 'redis';
import { RedisDpopReplayCache } from '../dpop/redis-dpop-replay.cache';
import { StoreUnavailableError } from '../errors/store-unavailable.error';
import type { RequestOutcome } from '../outcome/request-outcome.port';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://` for TLS. Never logged. */
  url: string;
  /** Put before every key, so that several deployments can share one server (e.g. `auth:`). */
  keyPrefix: string;
  /** Longest a store call may take, connection waits included. Default 500 ms. */
  commandTimeoutMs?: number;
  /** Longest one connection attempt may take, and how long `open` waits for the first. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Cap of the exponential backoff between reconnection attempts. Default 2000 ms. */
  maxReconnectDelayMs?: number;
}

/** Where connection state changes are told: the service's RequestOutcome. */
export type ConnectionLog = Pick<RequestOutcome, 'record' | 'warn'>;

/** A node-redis client with the server-side scripts its stores define. */
export type StoreClient<S extends RedisScripts> = RedisClientType<
  Record<string, never>,
  Record<string, never>,
  S
>;

function createStoreClient<S extends RedisScripts>(
  options: RedisConnectionOptions,
  scripts: S,
  connectTimeoutMs: number,
): StoreClient<S> {
  const maxDelay = options.maxReconnectDelayMs ?? 2_000;
  return createClient({
    url: options.url,
    scripts,
    // Fail fast while disconnected: a command rejects at once instead of waiting in a queue for
    // a server that may not come back before the caller's own deadline.
    disableOfflineQueue: true,
    // Drops commands that could not even be written in time; `run` bounds the whole call.
    commandOptions: { timeout: options.commandTimeoutMs ?? 500 },
    socket: {
      connectTimeout: connectTimeoutMs,
      // Never give up (node-redis's default strategy stops on a socket timeout): 50 ms doubling
      // up to the cap, with jitter so that replicas do not reconnect in step.
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** Math.min(retries, 16), maxDelay) + Math.floor(Math.random() * 100),
    },
  }) as unknown as StoreClient<S>;
}

/**
 * The one Redis connection of a process, shared by every store. It never crashes the process
 * (errors are listened to and logged once per outage), reconnects forever with capped backoff,
 * rejects commands at once while disconnected, bounds every call by `commandTimeoutMs`, and
 * turns every failure into a `StoreUnavailableError`.
 */
export class RedisConnection<
  S extends RedisScripts = Record<string, never>,
> implements OnApplicationShutdown {
  readonly client: StoreClient<S>;
  readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly connecting: Promise<unknown>;
  /** True from an error until the next ready: one warning per outage, not one per retry. */
  private down = false;
  private everReady = false;

  private constructor(
    private readonly options: RedisConnectionOptions,
    scripts: S,
    private readonly log?: ConnectionLog,
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 500;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.client = createStoreClient(options, scripts, this.connectTimeoutMs);
    // Without an 'error' listener an EventEmitter throws, and the process dies.
    this.client.on('error', (err: unknown) => this.onError(err));
    this.client.on('ready', () => this.onReady());
    this.connecting = this.client.connect().catch(() => undefined);
  }

  /**
   * Connects, waiting at most `connectTimeoutMs` for the first connection: a service started
   * while Redis is down still starts (not ready, its store calls rejected), and is ready as soon
   * as Redis is.
   */
  static async open<S extends RedisScripts = Record<string, never>>(
    options: RedisConnectionOptions & { scripts?: S },
    log?: ConnectionLog,
  ): Promise<RedisConnection<S>> {
    const connection = new RedisConnection<S>(options, options.scripts ?? ({} as S), log);
    await connection.settled(connection.connectTimeoutMs);
    return connection;
  }

  /** `parts` joined with ':' after the key prefix. */
  key(...parts: string[]): string {
    return this.options.keyPrefix + parts.join(':');
  }

  /** True while connected. */
  get isReady(): boolean {
    return this.client.isReady;
  }

  /**
   * Runs `command` against Redis within `commandTimeoutMs`. node-redis's own command timeout
   * stops counting once a command is written, so a server that accepts the bytes and never
   * answers would hang the caller: the deadline here covers that too.
   */
  async run<T>(store: string, command: (client: StoreClient<S>) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreUnavailableError(store, `no answer in ${this.commandTimeoutMs} ms`)),
        this.commandTimeoutMs,
      );
    });
    const attempt = (async () => command(this.client))();
    try {
      return await Promise.race([attempt, deadline]);
    } catch (err) {
      throw unavailable(store, err);
    } finally {
      clearTimeout(timer);
      // A late failure of a call that already timed out must not become an unhandled rejection.
      attempt.catch(() => undefined);
    }
  }

  /** The DPoP replay cache on this connection, its keys under `<prefix>dpop:`, each command within the timeout. */
  dpopReplayCache(): RedisDpopReplayCache {
    return new RedisDpopReplayCache(
      {
        set: (key, value, options) => this.run('dpop', (client) => client.set(key, value, options)),
      },
      this.key('dpop', ''),
    );
  }

  /** For readiness: whether Redis answers a PING within the command timeout. */
  async ping(): Promise<boolean> {
    try {
      return (await this.run('redis', (client) => client.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * Closes the connection once the replies in flight have come, waiting at most the command
   * timeout for them. Replies come in order, so the answer to one last PING means every earlier
   * command is answered; node-redis's own `close()` waits for them with no bound.
   */
  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    if (this.client.isReady) await this.ping();
    if (this.client.isOpen) this.client.destroy();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Resolves once the first connection is made or `ms` have passed, whichever comes first. */
  private async settled(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.connecting,
      new Promise((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
    if (!this.client.isReady) this.onError(new Error(`not connected after ${ms} ms`));
  }

  private onError(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.log?.warn(
      'store_unavailable',
      { store: 'redis', reason: reasonOf(err) },
      this.everReady ? 'Redis connection lost; reconnecting' : 'Redis not reachable; retrying',
    );
  }

  private onReady(): void {
    if (this.everReady && !this.down) return;
    this.everReady = true;
    this.down = false;
    this.log?.record('store_ready', { store: 'redis' }, 'Redis connection ready');
  }
}

/** `err` as a `StoreUnavailableError` of `store` (itself when it already is one). */
function unavailable(store: string, err: unknown): StoreUnavailableError {
  if (err instanceof StoreUnavailableError) return err;
  return new StoreUnavailableError(store, reasonOf(err), { cause: err });
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
