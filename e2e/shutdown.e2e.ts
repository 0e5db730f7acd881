/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * Graceful stop: SIGTERM in the middle of a burst of calls. Every call the service had accepted
 * is answered in full and successfully, also those still in flight when the signal came; later
 * calls are refused at the door (connection refused, or reset when the kernel had queued the
 * connection for a listener that then closed: the service never read those); the process exits 0.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { NEEDS_LOCAL_PROCESSES, sleep, Stack } from './support/stack.ts';

interface Outcome {
  /** The HTTP status, when an answer came. */
  status?: number;
  /** The socket error, when none did. */
  error?: string;
  /** Whether the TCP handshake completed (by the kernel: not proof that the service read it). */
  connected: boolean;
  doneAt: number;
}

/** One call on its own connection, so that "accepted" means "the server took the connection". */
function oneCall(url: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let connected = false;
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode, connected, doneAt: performance.now() }),
      );
      res.on('error', (err: NodeJS.ErrnoException) =>
        resolve({ error: err.code ?? err.message, connected, doneAt: performance.now() }),
      );
    });
    req.on('socket', (socket) => socket.on('connect', () => (connected = true)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ error: err.code ?? err.message, connected, doneAt: performance.now() }),
    );
    req.end();
  });
}

describe('graceful shutdown on SIGTERM', { skip: NEEDS_LOCAL_PROCESSES }, () => {
  let stack: Stack;

  before(async () => {
    stack = await Stack.start('shutdown');
  });

  after(async () => {
    await stack?.stop();
  });

  for (const app of ['webapp', 'auth'] as const) {
    it(`${app}: no accepted call fails during a stop, and the exit code is 0`, async () => {
      const target = stack.process(app);
      const url =
        app === 'webapp'
          ? `${stack.webappUrl}/current_time`
          : `${stack.authUrl}/.well-known/oauth-authorization-server`;
      const outcomes: Promise<Outcome>[] = [];
      let stopping = true;
      // Eight callers in a loop, so that calls are in flight whenever the signal lands.
      const callers = Array.from({ length: 8 }, async () => {
        while (stopping) {
          const outcome = oneCall(url);
          outcomes.push(outcome);
          if ((await outcome).error !== undefined) break;
        }
      });
      await sleep(300);
      const signalledAt = performance.now();
      const exit = await target.stop();
      stopping = false;
      await Promise.all(callers);
      const results = await Promise.all(outcomes);

      assert.deepEqual(exit, { code: 0, signal: null });
      const answered = results.filter((r) => r.status !== undefined);
      const failed = results.filter((r) => r.status !== undefined && r.status !== 200);
      const refused = results.filter((r) => r.error !== undefined);
      assert.ok(answered.length >= 8, `only ${answered.length} calls answered`);
      assert.ok(
        answered.some((r) => r.doneAt > signalledAt),
        'no call was still in flight when the signal came',
      );
      assert.deepEqual(
        failed.map((r) => r.status),
        [],
        'accepted calls answered with an error',
      );
      // Refused at the door: no listener any more, or a connection the kernel had queued for a
      // listener that closed before taking it.
      for (const r of refused)
        assert.ok(['ECONNREFUSED', 'ECONNRESET'].includes(r.error ?? ''), r.error);
      await target.start();
    });
  }
});
