import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DpopKey } from '@app/common';
import { describeWithRedis } from '../../../libs/common/test/redis-server';
import { FakeVerifier, testConfig, verifiedToken } from './support/fakes';
import { createResourceApp } from './support/resource-app';

const HOST = 'localhost:5002';
const URL_ = `http://${HOST}/current_time`;

/**
 * With REDIS_URL, the DPoP replay cache is shared by every replica (RFC 9449 11.1): a proof
 * used at one is refused at the others. Two resource servers over one real Redis.
 */
describeWithRedis(
  'the DPoP replay cache shared in Redis (REDIS_URL)',
  (redis) => {
    const key = DpopKey.generate();
    const verifier = new FakeVerifier();
    verifier.tokens.set('bound', verifiedToken({ boundToJkt: key.thumbprint }));
    let one: NestFastifyApplication;
    let other: NestFastifyApplication;

    beforeAll(async () => {
      const config = testConfig({
        redisUrl: redis.url,
        redisKeyPrefix: redis.freshPrefix(),
        redisTimeoutMs: 300,
      });
      one = await createResourceApp(config, verifier);
      other = await createResourceApp(config, verifier);
    });

    afterAll(async () => {
      await one.close();
      await other.close();
    });

    const send = (replica: NestFastifyApplication, proof: string) =>
      replica.inject({
        method: 'GET',
        url: '/current_time',
        headers: { host: HOST, authorization: 'DPoP bound', dpop: proof },
      });

    it('refuses at one replica a proof already used at another', async () => {
      const proof = key.proof({ htm: 'GET', htu: URL_, accessToken: 'bound' });
      expect((await send(one, proof)).statusCode).toBe(200);
      const replay = await send(other, proof);
      expect(replay.statusCode).toBe(401);
      expect(replay.json()).toEqual({
        error: 'invalid_dpop_proof',
        error_description: 'the DPoP proof has been used before',
      });
      // A fresh proof opens at either.
      const fresh = key.proof({ htm: 'GET', htu: URL_, accessToken: 'bound' });
      expect((await send(other, fresh)).statusCode).toBe(200);
    });

    it('reports the store in /readyz', async () => {
      const response = await one.inject({ method: 'GET', url: '/readyz' });
      expect(response.json<{ checks: Record<string, string> }>().checks.store).toBe('up');
    });

    it('fails closed while Redis is down: 503 with Retry-After, never an unchecked proof', async () => {
      // The suite runs on a redis-server of its own (ownServer), which it may stop.
      const server = redis.server;
      if (server === undefined) throw new Error('no redis-server of this suite to stop');
      await server.stop();
      try {
        const proof = key.proof({ htm: 'GET', htu: URL_, accessToken: 'bound' });
        const response = await send(one, proof);
        expect(response.statusCode).toBe(503);
        expect(response.headers['retry-after']).toBe('1');
        expect(response.json()).toEqual({
          error: 'temporarily_unavailable',
          error_description: 'the server cannot serve this request now; retry later',
        });
        const ready = await one.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode).toBe(503);
        expect(ready.json<{ checks: Record<string, string> }>().checks.store).toBe('down');
      } finally {
        await server.restart();
      }
    });
  },
  { ownServer: true },
);
