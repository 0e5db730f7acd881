/**
 * The authorization-code flow by hand, as a user agent and a client would run it over HTTP,
 * remembering every secret it sends.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { basic, call, jsonBody, postForm, type Reply } from './http.ts';
import { decodeJwt, type Json } from './jwt.ts';
import { remember } from './secrets.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  PASSWORD,
  RESOURCE_CLIENT_ID,
  RESOURCE_CLIENT_SECRET,
  type StackAddresses,
} from './stack.ts';

export type Scope = 'current_time' | 'epoch_time';

export interface Login {
  user: string;
  password: string;
}

export const DEFAULT_LOGIN: Login = { user: 'e2e-user', password: PASSWORD };

/** A fresh S256 pair. @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1 */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = remember('code_verifier', randomBytes(32).toString('base64url'));
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * GET /authorize with the given parameters over valid defaults; a parameter set to undefined is
 * left out. Logs in with HTTP Basic unless `login` is null. The redirect is not followed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export async function authorize(
  stack: StackAddresses,
  overrides: Record<string, string | undefined> = {},
  login: Login | null = DEFAULT_LOGIN,
): Promise<Reply> {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: stack.redirectUri,
    scope: 'current_time',
    state: randomBytes(8).toString('hex'),
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) query.set(name, value);
  const headers: Record<string, string> = {};
  if (login !== null) {
    remember('password', login.password);
    headers.authorization = basic(login.user, login.password);
  }
  return call(`${stack.authUrl}/authorize?${query.toString()}`, { headers });
}

/** The query of a 302 back to the registered redirect URI. */
export function redirectParams(stack: StackAddresses, reply: Reply): URLSearchParams {
  assert.equal(reply.status, 302, `authorize answered ${reply.status} ${reply.text}`);
  const location = reply.headers.get('location') ?? '';
  assert.ok(location.startsWith(`${stack.redirectUri}?`), `redirected to ${location}`);
  const params = new URL(location).searchParams;
  const code = params.get('code');
  if (code !== null) remember('code', code);
  return params;
}

/** An authorization code for a fresh PKCE pair. */
export async function obtainCode(
  stack: StackAddresses,
  scope: Scope = 'current_time',
  login: Login = DEFAULT_LOGIN,
): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(8).toString('hex');
  const params = redirectParams(
    stack,
    await authorize(stack, { scope, state, code_challenge: challenge }, login),
  );
  assert.equal(params.get('state'), state);
  assert.equal(params.get('iss'), stack.issuer);
  const code = params.get('code');
  assert.ok(code !== null && code.length > 0, 'no code in the redirect');
  return { code, verifier };
}

export interface RedeemOptions {
  code: string;
  verifier: string;
  redirectUri?: string;
  auth?: 'basic' | 'post';
  clientSecret?: string;
}

/** POST /token, grant_type=authorization_code. @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3 */
export function redeem(stack: StackAddresses, options: RedeemOptions): Promise<Reply> {
  const secret = options.clientSecret ?? CLIENT_SECRET;
  remember('client_secret', secret);
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code: options.code,
    redirect_uri: options.redirectUri ?? stack.redirectUri,
    code_verifier: options.verifier,
  };
  const headers: Record<string, string> = {};
  if (options.auth === 'post') {
    form.client_id = CLIENT_ID;
    form.client_secret = secret;
  } else {
    headers.authorization = clientBasic(CLIENT_ID, secret);
  }
  return postForm(`${stack.authUrl}/token`, form, headers);
}

export interface IssuedToken {
  token: string;
  header: Json;
  claims: Json;
  code: string;
  verifier: string;
}

/** A whole flow: authorize, redeem; the token is checked to be what RFC 9068 describes. */
export async function obtainToken(
  stack: StackAddresses,
  scope: Scope = 'current_time',
  login: Login = DEFAULT_LOGIN,
): Promise<IssuedToken> {
  const { code, verifier } = await obtainCode(stack, scope, login);
  const reply = await redeem(stack, { code, verifier });
  assert.equal(reply.status, 200, `token endpoint answered ${reply.status} ${reply.text}`);
  const body = jsonBody(reply);
  const token = body.access_token;
  assert.equal(typeof token, 'string');
  remember('access_token', token as string);
  const { header, payload } = decodeJwt(token as string);
  return { token: token as string, header, claims: payload, code, verifier };
}

/** POST /introspect as the resource server. @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1 */
export function introspect(
  stack: StackAddresses,
  token: string,
  credentials: { id: string; secret: string } = {
    id: RESOURCE_CLIENT_ID,
    secret: RESOURCE_CLIENT_SECRET,
  },
): Promise<Reply> {
  return postForm(
    `${stack.authUrl}/introspect`,
    { token },
    { authorization: clientBasic(credentials.id, credentials.secret) },
  );
}

/** POST /revoke as the webapp. @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1 */
export function revoke(stack: StackAddresses, token: string): Promise<Reply> {
  return postForm(
    `${stack.authUrl}/revoke`,
    { token },
    { authorization: clientBasic(CLIENT_ID, CLIENT_SECRET) },
  );
}

/** GET a resource server endpoint with `Authorization: Bearer`. */
export function callResource(
  baseUrl: string,
  scope: Scope,
  token: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return call(`${baseUrl}/${scope}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
}

/** Client credentials in Basic, form-encoded first. @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 */
export function clientBasic(id: string, secret: string): string {
  const encode = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}
