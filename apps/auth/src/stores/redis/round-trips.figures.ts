/*
 * Prints how long one `consume` and one `lookup` take on loopback Redis: figures, not a test.
 *   npx ts-node -r tsconfig-paths/register --transpile-only apps/auth/src/stores/redis/round-trips.figures.ts
 * Uses REDIS_URL when set (writing under a prefix of its own, then deleting it), else starts
 * redis-server from the PATH.
 */
import { flush, RedisTestServer } from '../../../../../libs/common/test/redis-server';
import type { AuthorizationGrant } from '../code-store.port';
import { RedisCodeStore } from './redis-code.store';
import { RedisConnection } from '@app/common/redis';
import { STORE_SCRIPTS } from './store-scripts';
import { RedisTokenRegistry } from './redis-token.registry';

const CALLS = 5_000;
const PARALLEL = 64;

function summary(micros: number[]): string {
  const sorted = [...micros].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(0)} µs, p90 ${at(0.9).toFixed(0)} µs, p99 ${at(0.99).toFixed(0)} µs`;
}

async function timed(calls: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const micros: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await call(i);
    micros.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  return micros;
}

async function throughput(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < calls) await call(next++);
    }),
  );
  return calls / ((performance.now() - start) / 1_000);
}

async function main(): Promise<void> {
  const sharedUrl = process.env.REDIS_URL || undefined;
  const server = sharedUrl === undefined ? await RedisTestServer.start() : undefined;
  const url = sharedUrl ?? server?.url ?? '';
  const keyPrefix = `figures-${process.pid}:`;
  const connection = await RedisConnection.open({ url, keyPrefix, scripts: STORE_SCRIPTS });
  try {
    const now = Math.floor(Date.now() / 1000);
    const codes = new RedisCodeStore(connection, {
      quotaPerOwner: 1_000_000,
      keepUsedSeconds: 6,
      capacity: Infinity,
    });
    const registry = new RedisTokenRegistry(connection, { nowSeconds: () => now });
    const grant = (i: number): AuthorizationGrant => ({
      clientId: '1234',
      redirectUri: 'http://localhost:5003/callback',
      scope: 'current_time',
      username: 'alice',
      codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      expiresAt: now + 60,
      owner: `address:192.0.2.${i % 250}`,
    });
    const claims = (i: number) => ({
      iss: 'http://localhost:5001',
      sub: 'alice',
      aud: 'http://localhost:5002',
      client_id: '1234',
      scope: 'current_time' as const,
      iat: now,
      exp: now + 5,
      jti: `jti-${i}`,
    });

    for (let i = 0; i < 4 * CALLS; i++) await codes.save(`code-${i}`, grant(i), now);
    for (let i = 0; i < CALLS; i++) await registry.record(`hash-${i}`, claims(i), now + 5);
    // Warm-up: script cache, JIT, connection.
    await timed(500, (i) => codes.consume(`code-${3 * CALLS + i}`, '1234', `w-${i}`, now));

    const save = await timed(CALLS, (i) => codes.save(`fresh-${i}`, grant(i), now));
    const consume = await timed(CALLS, (i) => codes.consume(`code-${i}`, '1234', `jti-${i}`, now));
    const replay = await timed(CALLS, (i) => codes.consume(`code-${i}`, '1234', `x-${i}`, now));
    const lookup = await timed(CALLS, (i) => registry.lookup(`jti-${i}`));
    const consumeRate = await throughput(CALLS, (i) =>
      codes.consume(`code-${CALLS + i}`, '1234', `jti-${i}`, now),
    );
    const lookupRate = await throughput(CALLS, (i) => registry.lookup(`jti-${i}`));

    console.log(`node ${process.version}, ${CALLS} sequential calls each, one connection:`);
    console.log(`  save     ${summary(save)}`);
    console.log(`  consume  ${summary(consume)}   (redemption)`);
    console.log(`  consume  ${summary(replay)}   (replay)`);
    console.log(`  lookup   ${summary(lookup)}`);
    console.log(`${PARALLEL} in flight on one connection:`);
    console.log(`  consume  ${consumeRate.toFixed(0)}/s, lookup ${lookupRate.toFixed(0)}/s`);
  } finally {
    await connection.close();
    if (server) await server.close();
    else await flush(url, `${keyPrefix}*`);
  }
}

void main();
