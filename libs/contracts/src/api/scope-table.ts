import { CurrentTimeResponseDto, EpochTimeResponseDto } from './time-response.dto';

/** What every API answer names: the user the token was issued for. */
export interface UserResponse {
  user: string;
}

/** One protected endpoint: the path at the resource server and the DTO of its answer. */
export interface ScopeEntry {
  path: `/${string}`;
  response: new () => UserResponse;
}

/**
 * The API, as one table: each scope opens exactly one endpoint of the resource server. The
 * authorization server's allowed scopes and metadata, the resource server's routes and the
 * webapp's routes and client are all derived from it; a new endpoint is a row here and its
 * handler in the resource server.
 */
export const SCOPE_TABLE = {
  current_time: { path: '/current_time', response: CurrentTimeResponseDto },
  epoch_time: { path: '/epoch_time', response: EpochTimeResponseDto },
} as const satisfies Record<string, ScopeEntry>;

export type Scope = keyof typeof SCOPE_TABLE;

/** The answer of a scope's endpoint. */
export type ScopeResponse<S extends Scope> = InstanceType<(typeof SCOPE_TABLE)[S]['response']>;

/** Every scope, in the table's order. */
export const SCOPES = Object.keys(SCOPE_TABLE) as readonly Scope[];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SCOPE_TABLE, value);
}
