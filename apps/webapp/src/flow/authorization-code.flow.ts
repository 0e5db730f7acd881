import { Inject, Injectable } from '@nestjs/common';
import { UpstreamError } from '@app/common';
import type { TimeScope } from '@app/contracts';
import {
  AUTH_SERVER,
  type AuthServer,
  type AuthorizationResponse,
} from '../clients/auth-server.port';
import type { CallContext } from '../clients/call-context';
import { BadUpstreamAnswerError } from '../errors/webapp.errors';
import { WebappConfig } from '../webapp.config';
import { createPkcePair, createState } from './pkce';

/** The person the flow runs for, with the login the authorization server will check. */
export interface Caller {
  username: string;
  password: string;
}

/**
 * One complete authorization-code flow with PKCE for one scope: a fresh state and verifier,
 * the authorization request, the checks on the response (state, then iss per RFC 9207), and
 * the code exchange. Nothing is cached: every call gets a new token.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
@Injectable()
export class AuthorizationCodeFlow {
  constructor(
    @Inject(AUTH_SERVER) private readonly auth: AuthServer,
    private readonly config: WebappConfig,
  ) {}

  async obtainToken(scope: TimeScope, caller: Caller, context: CallContext): Promise<string> {
    const state = createState();
    const pkce = createPkcePair();
    const response = await this.auth.authorize(
      {
        scope,
        state,
        codeChallenge: pkce.challenge,
        username: caller.username,
        password: caller.password,
      },
      context,
    );
    const code = this.codeOf(response, state);
    const grant = await this.auth.exchangeCode(code, pkce.verifier, context);
    if (grant.tokenType.toLowerCase() !== 'bearer') {
      throw new BadUpstreamAnswerError('authorization', `token_type ${grant.tokenType}`);
    }
    if (grant.scope.split(' ').join(' ') !== scope) {
      throw new BadUpstreamAnswerError(
        'authorization',
        `granted scope ${grant.scope}, asked ${scope}`,
      );
    }
    return grant.accessToken;
  }

  /** @see https://www.rfc-editor.org/rfc/rfc9207#section-2.4 */
  private codeOf(response: AuthorizationResponse, state: string): string {
    if (response.state !== state)
      throw new BadUpstreamAnswerError('authorization', 'state mismatch');
    if (response.iss !== this.config.issuer)
      throw new BadUpstreamAnswerError('authorization', `iss ${response.iss ?? 'missing'}`);
    if (response.error === 'temporarily_unavailable') {
      // RFC 6749 4.1.2.1: the authorization server is overloaded; the user may retry (503).
      throw new UpstreamError('authorization', 'unavailable', 'temporarily_unavailable');
    }
    if (response.error !== undefined) {
      throw new BadUpstreamAnswerError(
        'authorization',
        `authorization error ${response.error}: ${response.errorDescription ?? ''}`,
      );
    }
    if (response.code === undefined || response.code.length === 0) {
      throw new BadUpstreamAnswerError('authorization', 'no code in the authorization response');
    }
    return response.code;
  }
}
