/** Seconds since the epoch, behind a port so that tests can set the time. */
export interface Clock {
  nowSeconds(): number;
}

export const CLOCK = Symbol('CLOCK');

export class SystemClock implements Clock {
  nowSeconds(): number {
    return Math.floor(Date.now() / 1000);
  }
}
