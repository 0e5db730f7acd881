import { Inject, Injectable } from '@nestjs/common';
import { UpstreamError } from '@app/common';
import type { Scope } from '@app/contracts';
import {
  AUTH_SERVER,
  type AuthServer,
  type AuthorizationResponse,
} from '../clients/auth-server.port';
import type { CallContext } from '../clients/call-context';
import type { AccessToken } from '../clients/resource-server.port';
import { AuthorizationDeniedError, BadUpstreamAnswerError } from '../errors/webapp.errors';
import { WebappConfig } from '../webapp.config';
import { createPkcePair, createState } from './pkce';

/** The person the flow runs for, with the login the authorization server will check. */
export interface Caller {
  username: string;
  password: string;
}

/** One flow in progress: what the client must remember between the request and the response. */
export interface PendingFlow {
  scope: Scope;
  state: string;
  codeVerifier: string;
  codeChallenge: string;
}

/**
 * One authorization-code flow with PKCE for one scope: a fresh state and verifier, the
 * authorization request, the checks on the response (state, then iss per RFC 9207, then an
 * error), and the code exchange. The webapp runs it whole for each API call (playing the user
 * agent itself) or across a browser's redirect (/login, /callback). Nothing is cached.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
 */
@Injectable()
export class AuthorizationCodeFlow {
  constructor(
    @Inject(AUTH_SERVER) private readonly auth: AuthServer,
    private readonly config: WebappConfig,
  ) {}

  /** A new flow for `scope`. */
  begin(scope: Scope): PendingFlow {
    const pkce = createPkcePair();
    return {
      scope,
      state: createState(),
      codeVerifier: pkce.verifier,
      codeChallenge: pkce.challenge,
    };
  }

  /** The whole flow, with the webapp as the user agent. */
  async obtainToken(scope: Scope, caller: Caller, context: CallContext): Promise<AccessToken> {
    const flow = this.begin(scope);
    const response = await this.auth.authorize(
      {
        scope,
        state: flow.state,
        codeChallenge: flow.codeChallenge,
        username: caller.username,
        password: caller.password,
      },
      context,
    );
    return this.complete(flow, response, context);
  }

  /**
   * Checks the authorization response against its flow, then exchanges the code. The challenge
   * went out with the request, so only the rest of the flow is needed here.
   */
  async complete(
    flow: Omit<PendingFlow, 'codeChallenge'>,
    response: AuthorizationResponse,
    context: CallContext,
  ): Promise<AccessToken> {
    const code = this.codeOf(response, flow.state);
    const grant = await this.auth.exchangeCode(code, flow.codeVerifier, context);
    const type = tokenTypeOf(grant.tokenType, this.config.dpop);
    // RFC 6749 5.1: the granted scope, when it differs from the one asked for; only that one will do.
    if (grant.scope !== flow.scope) {
      throw new BadUpstreamAnswerError(
        'authorization',
        `granted scope ${grant.scope}, asked ${flow.scope}`,
      );
    }
    return { value: grant.accessToken, type };
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
      throw new AuthorizationDeniedError(response.error, response.errorDescription);
    }
    if (response.code === undefined || response.code.length === 0) {
      throw new BadUpstreamAnswerError('authorization', 'no code in the authorization response');
    }
    return response.code;
  }
}

/**
 * How the token must be presented: Bearer, or DPoP when this client asked for a bound token (a
 * server without DPoP may still answer Bearer, RFC 9449 5). Token types are case-insensitive
 * (RFC 6749 5.1).
 */
function tokenTypeOf(tokenType: string, dpop: boolean): AccessToken['type'] {
  const type = tokenType.toLowerCase();
  if (type === 'bearer') return 'Bearer';
  if (type === 'dpop' && dpop) return 'DPoP';
  throw new BadUpstreamAnswerError('authorization', `token_type ${tokenType}`);
}
