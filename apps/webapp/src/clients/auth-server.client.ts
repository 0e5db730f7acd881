import { parseReply, type UpstreamClient } from '@app/common';
import { TokenResponseDto } from '@app/contracts';
import { BadUpstreamAnswerError } from '../errors/webapp.errors';
import type {
  AuthServer,
  AuthorizationCall,
  AuthorizationResponse,
  TokenGrant,
} from './auth-server.port';
import type { CallContext } from './call-context';
import { refusalOf } from './upstream-refusal';

export interface AuthServerClientOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
  paths: { authorization: string; token: string };
}

/**
 * The authorization server over HTTP. The webapp plays the user agent too: it sends the user's
 * login to the authorization endpoint and reads the redirect instead of following it.
 */
export class AuthServerClient implements AuthServer {
  private readonly clientAuthorization: string;

  constructor(
    private readonly http: UpstreamClient,
    private readonly options: AuthServerClientOptions,
  ) {
    // RFC 6749 2.3.1: the id and secret are form-encoded before Basic encoding.
    const pair = `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`;
    this.clientAuthorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }

  /** @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1 */
  async authorize(call: AuthorizationCall, context: CallContext): Promise<AuthorizationResponse> {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri,
      scope: call.scope,
      state: call.state,
      code_challenge: call.codeChallenge,
      code_challenge_method: 'S256',
    });
    const login = Buffer.from(`${call.username}:${call.password}`).toString('base64');
    const answer = await this.http.send({
      method: 'GET',
      path: `${this.options.paths.authorization}?${query.toString()}`,
      headers: { authorization: `Basic ${login}` },
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
    const answer = await this.http.send({
      method: 'POST',
      path: this.options.paths.token,
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

  /** The query of a redirect to our own redirect URI; a redirect anywhere else is not ours. */
  private redirectParameters(location: string | string[] | undefined): AuthorizationResponse {
    const prefix = `${this.options.redirectUri}${this.options.redirectUri.includes('?') ? '&' : '?'}`;
    if (typeof location !== 'string' || !location.startsWith(prefix)) {
      throw new BadUpstreamAnswerError(this.http.name, 'redirect to an unexpected location');
    }
    const params = new URL(location).searchParams;
    const one = (name: string): string | undefined => {
      const values = params.getAll(name);
      if (values.length > 1)
        throw new BadUpstreamAnswerError(this.http.name, `${name} repeated in redirect`);
      return values[0];
    };
    return {
      code: one('code'),
      state: one('state'),
      iss: one('iss'),
      error: one('error'),
      errorDescription: one('error_description'),
    };
  }
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
