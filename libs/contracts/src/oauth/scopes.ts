/** The two scopes of this stack: each opens exactly one endpoint of the resource server. */
export const TIME_SCOPES = ['current_time', 'epoch_time'] as const;
export type TimeScope = (typeof TIME_SCOPES)[number];

export function isTimeScope(value: unknown): value is TimeScope {
  return value === 'current_time' || value === 'epoch_time';
}
