import type { TimeScope } from '@app/contracts';
import type { CallContext } from './call-context';

/** What the resource server answered: the time in the endpoint's shape, and for whom. */
export type TimeReading =
  | { scope: 'current_time'; currentTime: string; user: string }
  | { scope: 'epoch_time'; epochTime: number; user: string };

/** The resource server, as this client uses it. */
export interface ResourceServer {
  fetchTime(scope: TimeScope, accessToken: string, context: CallContext): Promise<TimeReading>;
}

export const RESOURCE_SERVER = Symbol('RESOURCE_SERVER');
