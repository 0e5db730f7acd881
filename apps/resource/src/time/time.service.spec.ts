import { validateInput } from '@app/common';
import { SCOPE_TABLE, SCOPES } from '@app/contracts';
import { FakeClock } from '../../test/support/fakes';
import { TIME_HANDLERS } from './time.handlers';
import { TimeService } from './time.service';

const alice = { user: 'alice', clientId: '1234' };

describe('TimeService', () => {
  it('answers current_time as ISO 8601 in UTC with an explicit +00:00 offset, for the caller', () => {
    const service = new TimeService(new FakeClock(1_767_323_045));
    expect(service.read('current_time', alice)).toStrictEqual({
      current_time: '2026-01-02T03:04:05+00:00',
      user: 'alice',
    });
  });

  it('answers epoch_time as an integer number of seconds, for the caller', () => {
    const service = new TimeService(new FakeClock(1_767_323_045));
    expect(service.read('epoch_time', { user: 'bob', clientId: '1234' })).toStrictEqual({
      epoch_time: 1_767_323_045,
      user: 'bob',
    });
  });

  it('reads the epoch itself right', () => {
    const service = new TimeService(new FakeClock(0));
    expect(service.read('current_time', alice).current_time).toBe('1970-01-01T00:00:00+00:00');
    expect(service.read('epoch_time', alice).epoch_time).toBe(0);
  });

  it('reads the clock at each call', () => {
    const clock = new FakeClock(1_767_323_045);
    const service = new TimeService(clock);
    clock.now += 61;
    expect(service.read('current_time', alice).current_time).toBe('2026-01-02T03:05:06+00:00');
    expect(service.read('epoch_time', alice).epoch_time).toBe(1_767_323_106);
  });
});

describe('TIME_HANDLERS (one per row of the scope table)', () => {
  it('has a handler for exactly the scopes of the table', () => {
    expect(Object.keys(TIME_HANDLERS).sort()).toEqual([...SCOPES].sort());
  });

  it.each(SCOPES)('answers %s in the shape of its response DTO, and nothing more', (scope) => {
    const answer = TIME_HANDLERS[scope]('alice', new FakeClock(1_767_323_045));
    // The webapp validates the answer against the same DTO (parseReply); so does this.
    const dto: new () => object = SCOPE_TABLE[scope].response;
    expect(validateInput(dto, answer)).toStrictEqual(answer);
    expect(answer.user).toBe('alice');
  });
});
