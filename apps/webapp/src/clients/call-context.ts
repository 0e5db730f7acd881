import { Deadline } from '@app/common';

/** What every outbound call of one user request shares: its id and its deadline. */
export interface CallContext {
  requestId: string;
  signal: AbortSignal;
}

/**
 * Runs `work` with one deadline of `milliseconds` (UPSTREAM_TIMEOUT_MS) shared by every upstream
 * call of the request, and clears it when the work ends.
 */
export async function withDeadline<T>(
  milliseconds: number,
  requestId: string,
  work: (context: CallContext) => Promise<T>,
): Promise<T> {
  const deadline = new Deadline(milliseconds);
  try {
    return await work({ requestId, signal: deadline.signal });
  } finally {
    deadline.clear();
  }
}
