import { setTimeout as sleep } from 'node:timers/promises';
import type { FailureCounter, FailureCounterLimits } from './failure-counter.port';

/** A fresh counter behind one or more handles, and how to take it down. */
export interface FailureCounterFixture {
  /** Handles on one shared counter (one per connection for Redis, one for memory). */
  counters: [FailureCounter, ...FailureCounter[]];
  close(): Promise<void>;
}

export type MakeFailureCounter = (limits: FailureCounterLimits) => Promise<FailureCounterFixture>;

/**
 * The behaviour `FailureCounter` documents, for any adapter: the same cases, unchanged, for each.
 * Windows run on the adapters' own (real) time, so the window case waits a second.
 */
export function describeFailureCounter(make: MakeFailureCounter): void {
  describe('FailureCounter contract', () => {
    let fixture: FailureCounterFixture | undefined;

    async function open(limits: FailureCounterLimits): Promise<[FailureCounter, FailureCounter]> {
      fixture = await make(limits);
      const [first, second] = fixture.counters;
      return [first, second ?? first];
    }

    afterEach(async () => {
      await fixture?.close();
      fixture = undefined;
    });

    it('does not block a key it has never seen', async () => {
      const [counter] = await open({ limit: 3, windowSeconds: 60 });
      expect(await counter.blockedFor('client:1234')).toBe(0);
    });

    it('does not block a key below its limit', async () => {
      const [counter, other] = await open({ limit: 3, windowSeconds: 60 });
      await counter.record('client:1234');
      await other.record('client:1234');
      expect(await counter.blockedFor('client:1234')).toBe(0);
      expect(await other.blockedFor('client:1234')).toBe(0);
    });

    it('blocks a key at its limit until its window ends, on every handle', async () => {
      const [counter, other] = await open({ limit: 3, windowSeconds: 60 });
      await counter.record('client:1234');
      await other.record('client:1234');
      await counter.record('client:1234');
      expect(await other.blockedFor('client:1234')).toBe(60);
      await counter.record('client:1234');
      expect(await counter.blockedFor('client:1234')).toBe(60);
    });

    it('counts each key on its own', async () => {
      const [counter] = await open({ limit: 2, windowSeconds: 60 });
      await counter.record('client:1234');
      await counter.record('client:1234');
      await counter.record('address:192.0.2.1');
      expect(await counter.blockedFor('client:1234')).toBe(60);
      expect(await counter.blockedFor('address:192.0.2.1')).toBe(0);
      expect(await counter.blockedFor('client:5678')).toBe(0);
    });

    it('lets a key try again once its window has passed, counting from zero', async () => {
      const [counter, other] = await open({ limit: 2, windowSeconds: 1 });
      await counter.record('client:1234');
      await other.record('client:1234');
      expect(await counter.blockedFor('client:1234')).toBe(1);
      await sleep(1_100);
      expect(await counter.blockedFor('client:1234')).toBe(0);
      await counter.record('client:1234');
      expect(await other.blockedFor('client:1234')).toBe(0);
      await other.record('client:1234');
      expect(await counter.blockedFor('client:1234')).toBe(1);
    });
  });
}
