import type { Scope, ScopeResponse } from '@app/contracts';
import type { CallContext } from './call-context';

/** An access token as the flow obtained it: the value and how it must be presented. */
export interface AccessToken {
  value: string;
  type: 'Bearer' | 'DPoP';
}

/** The resource server, as this client uses it: one endpoint per scope of the table. */
export interface ResourceServer {
  fetch<S extends Scope>(
    scope: S,
    token: AccessToken,
    context: CallContext,
  ): Promise<ScopeResponse<S>>;
}

export const RESOURCE_SERVER = Symbol('RESOURCE_SERVER');
