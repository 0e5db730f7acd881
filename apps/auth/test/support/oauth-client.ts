import { createHash, randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';

/** The defaults of the contract, as the transport tests see them from outside. */
export const ISSUER = 'http://localhost:5001';
export const AUDIENCE = 'http://localhost:5002';
export const CALLBACK = 'http://localhost:5003/callback';
export const WEBAPP = { id: '1234', secret: 'qwerty' };
export const RESOURCE_SERVER = { id: 'resource-server', secret: 'resource-secret' };
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface Credentials {
  id: string;
  secret: string;
}

export type Parameters = Record<string, string | undefined>;

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** A form or query string; undefined values are left out. */
export function encode(parameters: Parameters): string {
  const defined = Object.entries(parameters).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return new URLSearchParams(defined).toString();
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The parameters of a good authorization request, changed by `overrides`. */
export function authorizationParameters(challenge: string, overrides: Parameters = {}): Parameters {
  return {
    response_type: 'code',
    client_id: WEBAPP.id,
    redirect_uri: CALLBACK,
    scope: 'current_time',
    state: 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
}

/** Where a 302 sends the user agent, split into target and query parameters. */
export function redirectOf(response: LightMyRequestResponse): {
  target: string;
  params: Record<string, string>;
} {
  const location = response.headers.location;
  if (typeof location !== 'string') {
    throw new Error(`expected a redirect, got ${response.statusCode} ${response.body}`);
  }
  const url = new URL(location);
  return { target: `${url.origin}${url.pathname}`, params: Object.fromEntries(url.searchParams) };
}

/** Drives the AS as a confidential client with PKCE would. */
export class OAuthClient {
  constructor(private readonly app: NestFastifyApplication) {}

  /** GET /authorize as `user` with HTTP Basic; returns the code and the verifier behind it. */
  async authorize(
    options: { user?: string; scope?: string } = {},
  ): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkcePair();
    const response = await this.app.inject({
      method: 'GET',
      url: `/authorize?${encode(authorizationParameters(challenge, { scope: options.scope ?? 'current_time' }))}`,
      headers: { authorization: basic(options.user ?? 'alice', 'wonderland') },
    });
    const location = response.headers.location;
    const code = typeof location === 'string' ? redirectOf(response).params.code : undefined;
    if (response.statusCode !== 302 || code === undefined) {
      throw new Error(
        `authorization failed: ${response.statusCode} ${String(location)} ${response.body}`,
      );
    }
    return { code, verifier };
  }

  /** POST /token for a code, authenticating with client_secret_basic or client_secret_post. */
  redeem(
    code: string,
    verifier: string,
    options: { method?: 'basic' | 'post'; client?: Credentials; form?: Parameters } = {},
  ): Promise<LightMyRequestResponse> {
    const grant = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
      ...options.form,
    };
    return this.post('/token', grant, options.client ?? WEBAPP, options.method ?? 'basic');
  }

  /** A fresh access token of the whole flow. */
  async accessToken(options: { user?: string; scope?: string } = {}): Promise<string> {
    const { code, verifier } = await this.authorize(options);
    const response = await this.redeem(code, verifier);
    if (response.statusCode !== 200) {
      throw new Error(`token request failed: ${response.statusCode} ${response.body}`);
    }
    return response.json<{ access_token: string }>().access_token;
  }

  introspect(
    token: string,
    client: Credentials = RESOURCE_SERVER,
    method: 'basic' | 'post' = 'basic',
  ): Promise<LightMyRequestResponse> {
    return this.post('/introspect', { token }, client, method);
  }

  revoke(
    token: string,
    client: Credentials = WEBAPP,
    method: 'basic' | 'post' = 'basic',
  ): Promise<LightMyRequestResponse> {
    return this.post('/revoke', { token }, client, method);
  }

  post(
    url: string,
    parameters: Parameters,
    client: Credentials | undefined,
    method: 'basic' | 'post',
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...FORM };
    let form = parameters;
    if (client !== undefined && method === 'basic') {
      headers.authorization = basic(client.id, client.secret);
    } else if (client !== undefined) {
      form = { ...parameters, client_id: client.id, client_secret: client.secret };
    }
    return this.app.inject({ method: 'POST', url, headers, payload: encode(form) });
  }
}
