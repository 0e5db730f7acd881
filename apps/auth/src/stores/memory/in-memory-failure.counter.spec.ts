import { describeFailureCounter } from '../failure-counter.contract';
import { InMemoryFailureCounter } from './in-memory-failure.counter';

describe('InMemoryFailureCounter', () => {
  describeFailureCounter(async (limits) => ({
    counters: [new InMemoryFailureCounter(limits)],
    close: async () => undefined,
  }));
});
