/**
 * A time limit shared by several calls: its signal aborts with a TimeoutError when the time is
 * up. Cleared when the work ends, so that no timer outlives the request (AbortSignal.timeout
 * would fire later for every request, long after its answer went out).
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(milliseconds: number) {
    this.timer = setTimeout(() => {
      this.controller.abort(
        new DOMException(`deadline of ${milliseconds} ms passed`, 'TimeoutError'),
      );
    }, milliseconds);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
