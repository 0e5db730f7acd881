import {
  basicAuthorization,
  type DpopKey,
  formEncoded,
  InvalidInputError,
  validateInput,
} from '@app/common';
import { parseForm, parseReply, type UpstreamClient } from '@app/common/http';
import { AuthorizationResponseDto, TokenResponseDto } from '@app/contracts';
import { BadUpstreamAnswerError } from '../errors/webapp.errors';
import type {
  AuthServer,
  AuthorizationCall,
  AuthorizationResponse,
  AuthorizationStart,
  TokenGrant,
} from './auth-server.port';
import type { CallContext } from './call-context';
import type { AuthServerDiscovery } from './discovery';
import { refusalOf } from './upstream-refusal';

export interface AuthServerClientOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** The client's DPoP key, when its tokens are to be DPoP-bound. */
  dpopKey?: DpopKey;
}

/**
 * The authorization server over HTTP. The webapp plays the user agent too: it sends the user's
 * login to the authorization endpoint and reads the redirect instead of following it.
 */
export class AuthServerClient implements AuthServer {
  private readonly clientAuthorization: string;

  constructor(
    private readonly http: UpstreamClient,
    private readonly discovery: AuthServerDiscovery,
    private readonly options: AuthServerClientOptions,
  ) {
    this.clientAuthorization = basicAuthorization(
      options.clientId,
      options.clientSecret,
      'client_credentials',
    );
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
  async authorize(call: AuthorizationCall, context: CallContext): Promise<AuthorizationResponse> {
    const endpoints = await this.discovery.endpoints(context.signal);
    const answer = await this.http.send({
      method: 'GET',
      path: `${endpoints.authorizationPath}?${this.authorizationQuery(call, endpoints.dpopAlgorithms)}`,
      headers: { authorization: basicAuthorization(call.username, call.password, 'login') },
      requestId: context.requestId,
      signal: context.signal,
    });
    if (answer.status !== 302 && answer.status !== 303) throw refusalOf(this.http.name, answer);
    return this.redirectParameters(answer.headers.location);
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 */
  async exchangeCode(
    code: string,
    codeVerifier: string,
    context: CallContext,
  ): Promise<TokenGrant> {
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.options.redirectUri,
      code_verifier: codeVerifier,
    };
    const headers: Record<string, string> = {};
    if (this.options.tokenAuthMethod === 'client_secret_basic') {
      headers.authorization = this.clientAuthorization;
    } else {
      form.client_id = this.options.clientId;
      form.client_secret = this.options.clientSecret;
    }
    const endpoints = await this.discovery.endpoints(context.signal);
    const dpop = this.dpopKeyFor(endpoints.dpopAlgorithms);
    // RFC 9449 5: a proof for this request asks for a token bound to the key.
    if (dpop !== undefined)
      headers.dpop = dpop.proof({ htm: 'POST', htu: endpoints.tokenEndpoint });
    const answer = await this.http.send({
      method: 'POST',
      path: endpoints.tokenPath,
      headers,
      form,
      requestId: context.requestId,
      signal: context.signal,
    });
    if (answer.status !== 200) throw refusalOf(this.http.name, answer);
    const reply = parseReply(this.http.name, TokenResponseDto, answer.json);
    return {
      accessToken: reply.access_token,
      tokenType: reply.token_type,
      expiresIn: reply.expires_in,
      scope: reply.scope,
    };
  }

  /** The DPoP key to use, when there is one and the server accepts its algorithm. */
  private dpopKeyFor(algorithms: readonly string[]): DpopKey | undefined {
    const key = this.options.dpopKey;
    return key !== undefined && algorithms.includes(key.alg) ? key : undefined;
  }

  /** Where the user agent starts a login: the authorization endpoint with the request. */
  async authorizationUrl(call: AuthorizationStart, context: CallContext): Promise<string> {
    const { authorizationEndpoint, dpopAlgorithms } = await this.discovery.endpoints(
      context.signal,
    );
    return `${authorizationEndpoint}?${this.authorizationQuery(call, dpopAlgorithms)}`;
  }

  /**
   * With a DPoP key, `dpop_jkt` binds the code to it (RFC 9449 10): a code stolen on its way back
   * cannot be redeemed without the key.
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
   */
  private authorizationQuery(call: AuthorizationStart, dpopAlgorithms: readonly string[]): string {
    const parameters: [string, string][] = [
      ['response_type', 'code'],
      ['client_id', this.options.clientId],
      ['redirect_uri', this.options.redirectUri],
      ['scope', call.scope],
      ['state', call.state],
      ['code_challenge', call.codeChallenge],
      ['code_challenge_method', 'S256'],
    ];
    const dpop = this.dpopKeyFor(dpopAlgorithms);
    if (dpop !== undefined) parameters.push(['dpop_jkt', dpop.thumbprint]);
    return parameters.map(([name, value]) => `${name}=${formEncoded(value)}`).join('&');
  }

  /** The query of a redirect to our own redirect URI; a redirect anywhere else is not ours. */
  private redirectParameters(location: string | string[] | undefined): AuthorizationResponse {
    const prefix = `${this.options.redirectUri}${this.options.redirectUri.includes('?') ? '&' : '?'}`;
    if (typeof location !== 'string' || !location.startsWith(prefix)) {
      throw new BadUpstreamAnswerError(this.http.name, 'redirect to an unexpected location');
    }
    let response: AuthorizationResponseDto;
    try {
      response = validateInput(AuthorizationResponseDto, parseForm(location.slice(prefix.length)));
    } catch (err) {
      if (!(err instanceof InvalidInputError)) throw err;
      throw new BadUpstreamAnswerError(this.http.name, `redirect: ${err.description}`);
    }
    return authorizationResponseOf(response);
  }
}

/** The redirect's parameters in the flow's terms. */
export function authorizationResponseOf(dto: AuthorizationResponseDto): AuthorizationResponse {
  return {
    code: dto.code,
    state: dto.state,
    iss: dto.iss,
    error: dto.error,
    errorDescription: dto.error_description,
  };
}
