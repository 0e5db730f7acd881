/**
 * The system under test: the three built apps as real processes on free ports, or, when
 * E2E_AUTH_URL, E2E_RESOURCE_URL and E2E_WEBAPP_URL are all set, services that run elsewhere
 * (docker-compose). Each suite file starts its own stack in `before` and stops it in `after`.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { secretsUsed } from './secrets.ts';

export type AppName = 'auth' | 'resource' | 'webapp';
export const APP_NAMES: readonly AppName[] = ['auth', 'resource', 'webapp'];

/** The registrations every deployment has by default (CONTRACT.md "The authorization server"). */
export const CLIENT_ID = '1234';
export const CLIENT_SECRET = 'qwerty';
export const RESOURCE_CLIENT_ID = 'resource-server';
export const RESOURCE_CLIENT_SECRET = 'resource-secret';
/** The one password the suites use for people, distinctive so that the log check can find it. */
export const PASSWORD = 'pw-Secret-123';

const PORT_SETTING: Record<AppName, string> = {
  auth: 'AUTH_PORT',
  resource: 'RESOURCE_PORT',
  webapp: 'WEBAPP_PORT',
};

/** The repository root: where `dist/` and `nest-cli.json` are, wherever the runner was started. */
export const ROOT = findRoot(process.cwd());

/** Set when the suite runs against services it cannot stop, start or reconfigure. */
export const EXTERNAL =
  process.env.E2E_AUTH_URL !== undefined &&
  process.env.E2E_RESOURCE_URL !== undefined &&
  process.env.E2E_WEBAPP_URL !== undefined;

/** `skip` option for tests that stop, start or reconfigure processes. */
export const NEEDS_LOCAL_PROCESSES: string | false = EXTERNAL
  ? 'needs to stop, start or reconfigure the services; not possible against E2E_*_URL services'
  : false;

/**
 * The reverse proxy in front of the services, when there is one (`haproxy` for the scaled
 * compose stack). A proxy parses every request itself: what it cannot parse never reaches a
 * service, so the transport-level answers to such requests are the proxy's.
 */
export const FRONT_PROXY: string | undefined = process.env.E2E_FRONT_PROXY || undefined;

/** `skip` option for tests that read the services' stdout. */
export const NEEDS_LOGS: string | false =
  EXTERNAL && process.env.E2E_LOGS_COMMAND === undefined
    ? "needs the services' stdout: set E2E_LOGS_COMMAND (e.g. 'docker compose logs --no-log-prefix --no-color {service}')"
    : false;

/** Logs of this run: one directory per `node --test` run, one file per process. */
export const RUN_LOG_DIR = join(
  ROOT,
  '.e2e-logs',
  // Under `node --test` each file runs in a child of the runner, so the runner's pid names the run.
  `run-${process.env.NODE_TEST_CONTEXT !== undefined ? process.ppid : process.pid}`,
);

/** Starts the harness's own notes in a log file (start, exit, stderr); every other line is stdout. */
export const MARK = '#e2e# ';

/** How a stack is started: settings for every process of an app, on top of the defaults. */
export interface StackOptions {
  /** E.g. `{ auth: { REDIS_URL } }`: every auth process, also those `startApp` adds, gets them. */
  env?: Partial<Record<AppName, Record<string, string>>>;
}

export interface StartOptions {
  /** Names the process in log files and messages; defaults to the app name. */
  label?: string;
  /** Settings on top of the stack's defaults for this app. */
  env?: Record<string, string>;
  /** A fixed port; by default a free one. */
  port?: number;
}

/** One service process: its output, kept line by line, and start/stop/restart on the same port. */
export class ServiceProcess {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly logFile: string;
  /** Exits that nobody asked for: a crash. */
  readonly unexpectedExits: { code: number | null; signal: string | null }[] = [];
  readonly app: AppName;
  readonly label: string;
  readonly env: Record<string, string>;
  port: number;
  private readonly portFixed: boolean;
  private child: ChildProcess | undefined;
  private stopping = false;

  constructor(
    app: AppName,
    label: string,
    port: number,
    env: Record<string, string>,
    portFixed: boolean,
    suite: string,
  ) {
    this.app = app;
    this.label = label;
    this.port = port;
    this.env = env;
    this.portFixed = portFixed;
    this.logFile = join(RUN_LOG_DIR, `${suite}.${label}.log`);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while the process runs (not exited, not killed). */
  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts the process and waits until `GET /healthz` answers 200. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.label} is already running`);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (err) {
        // Another program may take a free port between our probe and the child's bind.
        const portTaken = this.stderr.concat(this.lines).some((l) => l.includes('EADDRINUSE'));
        if (!portTaken || this.portFixed || attempt >= 3) throw err;
        this.port = await freePort();
      }
    }
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 10 s); returns how it ended. */
  async stop(): Promise<{ code: number | null; signal: string | null }> {
    const child = this.child;
    if (child === undefined || !this.running) {
      return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    }
    this.stopping = true;
    const exited = exitOf(child);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const result = await exited;
    clearTimeout(timer);
    this.stopping = false;
    return result;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Kills at once; only for the exit handler. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }

  private async startOnce(): Promise<void> {
    const env = { ...this.env, [PORT_SETTING[this.app]]: String(this.port) };
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', this.app, 'main.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    LIVE.add(this);
    this.record(
      `${MARK}${new Date().toISOString()} started ${this.label} pid ${child.pid} on ${this.url}`,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.lines.push(line);
      appendFileSync(this.logFile, `${line}\n`);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.stderr.push(line);
      appendFileSync(this.logFile, `${MARK}stderr: ${line}\n`);
    });
    child.on('exit', (code, signal) => {
      this.record(`${MARK}${new Date().toISOString()} ${this.label} exited (${signal ?? code})`);
      if (!this.stopping) this.unexpectedExits.push({ code, signal });
    });
    const exited = exitOf(child);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const answer = await Promise.race([
        fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.status,
          () => 0,
        ),
        exited.then(() => -1),
      ]);
      if (answer === 200) return;
      if (answer === -1 || Date.now() > deadline) {
        child.kill('SIGKILL');
        await exited;
        // The exit event fires before the last piped lines are read; let them arrive.
        await sleep(50);
        const output = [...this.lines, ...this.stderr].slice(-20).join('\n');
        throw new Error(`${this.label} did not become healthy on ${this.url}:\n${output}`);
      }
      await sleep(50);
    }
  }

  /** Waits until `GET /readyz` answers 200: every dependency up (the webapp: metadata found). */
  async waitUntilReady(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline)
        throw new Error(`${this.label} did not become ready on ${this.url}`);
      await sleep(50);
    }
  }

  private record(note: string): void {
    appendFileSync(this.logFile, `${note}\n`);
  }
}

/** Every process any stack started in this test process; killed if the process exits early. */
const LIVE = new Set<ServiceProcess>();
process.once('exit', () => {
  for (const p of LIVE) p.killNow();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const p of LIVE) p.killNow();
    process.exit(130);
  });
}

export interface StackAddresses {
  authUrl: string;
  resourceUrl: string;
  webappUrl: string;
  /** The issuer identifier: `iss` of tokens and authorization responses. */
  issuer: string;
  /** The resource server's identifier: `aud` of tokens. */
  audience: string;
  /** The webapp's registered redirect URI. */
  redirectUri: string;
}

export class Stack implements StackAddresses {
  readonly processes: ServiceProcess[] = [];
  readonly suite: string;
  readonly external: boolean;
  readonly authUrl: string;
  readonly resourceUrl: string;
  readonly webappUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly redirectUri: string;
  private readonly appEnv: NonNullable<StackOptions['env']>;

  private constructor(
    suite: string,
    external: boolean,
    addresses: StackAddresses,
    options: StackOptions = {},
  ) {
    this.suite = suite;
    this.appEnv = options.env ?? {};
    this.external = external;
    this.authUrl = addresses.authUrl;
    this.resourceUrl = addresses.resourceUrl;
    this.webappUrl = addresses.webappUrl;
    this.issuer = addresses.issuer;
    this.audience = addresses.audience;
    this.redirectUri = addresses.redirectUri;
  }

  /** Starts auth, resource and webapp (or connects to the external ones). */
  static async start(suite: string, options: StackOptions = {}): Promise<Stack> {
    mkdirSync(RUN_LOG_DIR, { recursive: true });
    pruneOldRuns();
    if (EXTERNAL) {
      const env = process.env;
      const authUrl = trimSlash(env.E2E_AUTH_URL!);
      return new Stack(suite, true, {
        authUrl,
        resourceUrl: trimSlash(env.E2E_RESOURCE_URL!),
        webappUrl: trimSlash(env.E2E_WEBAPP_URL!),
        issuer: env.E2E_ISSUER ?? authUrl,
        audience: env.E2E_AUDIENCE ?? 'http://localhost:5002',
        redirectUri: env.E2E_REDIRECT_URI ?? 'http://localhost:5003/callback',
      });
    }
    const [authPort, resourcePort, webappPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const stack = new Stack(
      suite,
      false,
      {
        authUrl: `http://127.0.0.1:${authPort}`,
        resourceUrl: `http://127.0.0.1:${resourcePort}`,
        webappUrl: `http://127.0.0.1:${webappPort}`,
        issuer: `http://127.0.0.1:${authPort}`,
        audience: `http://127.0.0.1:${resourcePort}`,
        redirectUri: `http://127.0.0.1:${webappPort}/callback`,
      },
      options,
    );
    try {
      // Fixed ports: the issuer and audience name them, and the other apps point at them.
      await Promise.all([
        stack.startApp('auth', { port: authPort }),
        stack.startApp('resource', { port: resourcePort }),
        stack.startApp('webapp', { port: webappPort }),
      ]);
      // The webapp discovers the authorization server's metadata once it is up.
      await stack.process('webapp').waitUntilReady();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  /** The first process of an app: the one at `authUrl`, `resourceUrl` or `webappUrl`. */
  process(app: AppName): ServiceProcess {
    const found = this.processes.find((p) => p.app === app);
    if (found === undefined)
      throw new Error(`no local ${app} process (external: ${this.external})`);
    return found;
  }

  /** The settings an app gets in this stack, before the caller's own. */
  defaultEnv(app: AppName): Record<string, string> {
    return { ...this.baseEnv(app), ...this.appEnv[app] };
  }

  private baseEnv(app: AppName): Record<string, string> {
    const common: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      APP_ENV: 'testing',
      // No config file: a developer's configs/application_config.json must not change the test.
      CONFIG_FILE: join(RUN_LOG_DIR, 'no-such-config.json'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    switch (app) {
      case 'auth':
        return {
          ...common,
          ISSUER: this.issuer,
          AUDIENCE: this.audience,
          REDIRECT_URIS: this.redirectUri,
        };
      case 'resource':
        return { ...common, AUTH_URL: this.authUrl, ISSUER: this.issuer, AUDIENCE: this.audience };
      case 'webapp':
        return {
          ...common,
          AUTH_URL: this.authUrl,
          RESOURCE_URL: this.resourceUrl,
          ISSUER: this.issuer,
          REDIRECT_URI: this.redirectUri,
        };
    }
  }

  /** Starts one more process of an app, e.g. a resource server with TOKEN_VALIDATION=jwks. */
  async startApp(app: AppName, options: StartOptions = {}): Promise<ServiceProcess> {
    if (this.external) throw new Error('cannot start processes against external services');
    const label = options.label ?? app;
    if (this.processes.some((p) => p.label === label)) throw new Error(`label ${label} is taken`);
    const port = options.port ?? (await freePort());
    const env = { ...this.defaultEnv(app), ...options.env };
    const child = new ServiceProcess(app, label, port, env, options.port !== undefined, this.suite);
    this.processes.push(child);
    await child.start();
    return child;
  }

  /** Every stdout line of every process of an app, or undefined when they cannot be read. */
  logLines(app: AppName): string[] | undefined {
    if (!this.external) return this.processes.filter((p) => p.app === app).flatMap((p) => p.lines);
    const command = process.env.E2E_LOGS_COMMAND;
    if (command === undefined) return undefined;
    const output = execSync(command.replaceAll('{service}', app), {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    return output.split('\n').filter((l) => l.length > 0);
  }

  /** The parsed log lines of an app that satisfy `match`, waiting up to `timeoutMs` for at least `count`. */
  async waitForLogs(
    app: AppName,
    match: (entry: Record<string, unknown>) => boolean,
    count = 1,
    timeoutMs = 3000,
  ): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (this.logLines(app) ?? []).flatMap((line) => {
        const entry = parseLine(line);
        return entry !== undefined && match(entry) ? [entry] : [];
      });
      if (found.length >= count || Date.now() > deadline) return found;
      await sleep(this.external ? 250 : 25);
    }
  }

  /** Stops every process it started (SIGTERM, awaiting each exit) and saves the secrets used. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    for (const p of this.processes) LIVE.delete(p);
    writeFileSync(
      join(RUN_LOG_DIR, `${this.suite}.secrets.json`),
      JSON.stringify([...secretsUsed()], null, 1),
    );
  }
}

export function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A port nobody listens on now: bind port 0, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nest-cli.json above ${from}`);
  }
}

/** Keeps `.e2e-logs/` from growing without end: runs older than a day go. */
function pruneOldRuns(): void {
  const parent = dirname(RUN_LOG_DIR);
  for (const entry of readdirSync(parent)) {
    const path = join(parent, entry);
    if (!entry.startsWith('run-') || path === RUN_LOG_DIR) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 86_400_000)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run may be pruning the same directory.
    }
  }
}
