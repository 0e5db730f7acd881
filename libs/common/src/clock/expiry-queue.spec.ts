import { ExpiryQueue } from './expiry-queue';

const T0 = 1_800_000_000;

function drained(queue: ExpiryQueue<string>, now: number): string[] {
  const keys: string[] = [];
  queue.drain(now, (key) => keys.push(key));
  return keys;
}

describe('ExpiryQueue', () => {
  it('hands out keys when their second has come, in order, once each', () => {
    const queue = new ExpiryQueue<string>(T0);
    queue.add('b', T0 + 2);
    queue.add('a', T0 + 1);
    queue.add('c', T0 + 2);
    expect(drained(queue, T0)).toEqual([]);
    expect(drained(queue, T0 + 1)).toEqual(['a']);
    expect(drained(queue, T0 + 3)).toEqual(['b', 'c']);
    expect(drained(queue, T0 + 3)).toEqual([]);
    expect(queue.pending).toBe(0);
  });

  it('rounds a fractional second up, so that nothing comes due early', () => {
    const queue = new ExpiryQueue<string>(T0);
    queue.add('a', T0 + 1.2);
    expect(drained(queue, T0 + 1)).toEqual([]);
    expect(drained(queue, T0 + 2)).toEqual(['a']);
  });

  it('hands out a key queued for a drained second at the next drain', () => {
    const queue = new ExpiryQueue<string>(T0);
    drained(queue, T0 + 10);
    queue.add('late', T0 + 5);
    expect(drained(queue, T0 + 10)).toEqual([]);
    expect(drained(queue, T0 + 11)).toEqual(['late']);
  });

  it('hands out a key queued twice twice', () => {
    const queue = new ExpiryQueue<string>(T0);
    queue.add('a', T0 + 1);
    queue.add('a', T0 + 5);
    expect(queue.pending).toBe(2);
    expect(drained(queue, T0 + 5)).toEqual(['a', 'a']);
  });

  it('survives a jump of the clock far beyond its buckets, in order', () => {
    const queue = new ExpiryQueue<string>(0);
    queue.add('b', T0 + 7);
    queue.add('a', T0 + 3);
    queue.add('z', T0 + 100);
    // Walking the seconds from 0 would take 1.8e9 steps; this returns at once.
    expect(drained(queue, T0 + 50)).toEqual(['a', 'b']);
    expect(queue.pending).toBe(1);
  });
});
