import type { Clock } from '@app/common';
import type { Scope, ScopeResponse } from '@app/contracts';

/** What each endpoint answers for the user a token names; one handler per scope of the table. */
export type ScopeHandlers = { [S in Scope]: (user: string, clock: Clock) => ScopeResponse<S> };

export const TIME_HANDLERS: ScopeHandlers = {
  current_time: (user, clock) => ({ current_time: isoSeconds(clock.nowSeconds()), user }),
  epoch_time: (user, clock) => ({ epoch_time: clock.nowSeconds(), user }),
};

/** ISO 8601 in UTC with an explicit offset, to the second: 2026-01-02T03:04:05+00:00. */
function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', '+00:00');
}
