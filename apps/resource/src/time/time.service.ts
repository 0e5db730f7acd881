import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/common';

/** The time, in the two shapes the endpoints promise. */
@Injectable()
export class TimeService {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** ISO 8601 in UTC with an explicit offset, to the second: 2026-01-02T03:04:05+00:00. */
  currentTime(): string {
    return new Date(this.clock.nowSeconds() * 1000).toISOString().replace('.000Z', '+00:00');
  }

  epochTime(): number {
    return this.clock.nowSeconds();
  }
}
