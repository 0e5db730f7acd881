/** What every outbound call of one user request shares: its id and its deadline. */
export interface CallContext {
  requestId: string;
  signal: AbortSignal;
}
