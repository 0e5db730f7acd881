import type { PinoLogger } from 'nestjs-pino';

/** A PinoLogger that writes nothing; its methods are jest mocks. */
export function fakeLogger(): PinoLogger {
  return {
    trace: jest.fn(),
    debug: jest.fn(),
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
    fatal: jest.fn(),
    assign: jest.fn(),
  } as unknown as PinoLogger;
}

/** What `action` throws; fails the test when it throws nothing. */
export function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, but none was thrown');
}

/** What `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** What `action`'s promise rejects with; fails the test when it resolves. */
export function rejected(action: () => Promise<unknown>): Promise<unknown> {
  return rejection(action());
}
