import { FakeClock } from '../../test/support/fakes';
import { TimeService } from './time.service';

describe('TimeService', () => {
  it('gives the current time as ISO 8601 in UTC with an explicit +00:00 offset', () => {
    const service = new TimeService(new FakeClock(1_767_323_045));
    expect(service.currentTime()).toBe('2026-01-02T03:04:05+00:00');
    expect(service.currentTime()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  });

  it('gives the epoch time as an integer number of seconds', () => {
    const service = new TimeService(new FakeClock(1_767_323_045));
    expect(service.epochTime()).toBe(1_767_323_045);
    expect(Number.isInteger(service.epochTime())).toBe(true);
  });

  it('reads the epoch itself right', () => {
    const service = new TimeService(new FakeClock(0));
    expect(service.currentTime()).toBe('1970-01-01T00:00:00+00:00');
    expect(service.epochTime()).toBe(0);
  });
});
