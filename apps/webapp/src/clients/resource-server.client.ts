import type { DpopKey } from '@app/common';
import { parseReply, type UpstreamClient } from '@app/common/http';
import { SCOPE_TABLE, type Scope, type ScopeEntry, type ScopeResponse } from '@app/contracts';
import type { CallContext } from './call-context';
import { BadUpstreamAnswerError } from '../errors/webapp.errors';
import type { AccessToken, ResourceServer } from './resource-server.port';
import { refusalOf } from './upstream-refusal';

/**
 * The resource server over HTTP: `GET` of the scope's path from the scope table, the token in
 * the Authorization header, the answer checked against the scope's response DTO.
 */
export class ResourceServerClient implements ResourceServer {
  constructor(
    private readonly http: UpstreamClient,
    /** The resource server's base URL, for the `htu` of DPoP proofs. */
    private readonly baseUrl: string,
    private readonly dpopKey: DpopKey | undefined,
  ) {}

  async fetch<S extends Scope>(
    scope: S,
    token: AccessToken,
    context: CallContext,
  ): Promise<ScopeResponse<S>> {
    const entry: ScopeEntry = SCOPE_TABLE[scope];
    const answer = await this.http.send({
      method: 'GET',
      path: entry.path,
      headers: this.credentials(token, entry.path),
      requestId: context.requestId,
      signal: context.signal,
    });
    if (answer.status !== 200) throw refusalOf(this.http.name, answer);
    return parseReply(this.http.name, entry.response, answer.json) as ScopeResponse<S>;
  }

  /**
   * `Authorization: Bearer`, or for a DPoP-bound token `Authorization: DPoP` with a proof for
   * this request that hashes the token.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-7.1
   */
  private credentials(token: AccessToken, path: string): Record<string, string> {
    if (token.type === 'Bearer') return { authorization: `Bearer ${token.value}` };
    if (this.dpopKey === undefined) {
      throw new BadUpstreamAnswerError('authorization', 'a DPoP-bound token without a DPoP key');
    }
    return {
      authorization: `DPoP ${token.value}`,
      dpop: this.dpopKey.proof({
        htm: 'GET',
        htu: `${this.baseUrl}${path}`,
        accessToken: token.value,
      }),
    };
  }
}
