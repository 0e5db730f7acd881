import { createHmac, timingSafeEqual } from 'node:crypto';
import { CODE_VERIFIER, isScope, type Scope } from '@app/contracts';

/**
 * How long a browser login may take from /login to /callback, in seconds: the lifetime of the
 * authorization code it waits for (CONTRACT.md: a code lives at most 60 s), so a binding never
 * outlives the code it is for.
 */
export const LOGIN_TTL_SECONDS = 60;

/** What the browser carries between /login and /callback: everything `complete` needs. */
export interface LoginBinding {
  scope: Scope;
  state: string;
  codeVerifier: string;
  /** Epoch second from which the binding is refused. */
  expiresAt: number;
}

/** The binding as it is serialised, short names to keep the cookie small. */
interface SealedPayload {
  v: 1;
  sc: unknown;
  st: unknown;
  cv: unknown;
  exp: unknown;
}

/** Longer than any binding this process seals (about 200 characters): not one of ours. */
const MAX_SEALED_LENGTH = 1024;
/** Domain separation: this key signs login bindings and nothing else. */
const CONTEXT = 'webapp-login-binding.v1.';
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Seals a login binding for the browser to carry and opens it again: the binding as base64url
 * JSON, then its HMAC-SHA256 under this process's key, so that a browser (or whoever holds the
 * cookie) can read it but cannot forge or alter one. Hand-written over node:crypto: two calls
 * do the MAC and its constant-time check, and a cookie-signing library would tie this domain
 * code to a transport's cookie format.
 * @see https://www.rfc-editor.org/rfc/rfc2104
 */
export class LoginBindingSeal {
  private readonly key: Buffer;

  constructor(key: string | Buffer) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (this.key.length < 32) throw new RangeError('a login binding key has at least 32 bytes');
  }

  seal(binding: LoginBinding): string {
    const payload: SealedPayload = {
      v: 1,
      sc: binding.scope,
      st: binding.state,
      cv: binding.codeVerifier,
      exp: binding.expiresAt,
    };
    const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${encoded}.${this.mac(encoded).toString('base64url')}`;
  }

  /** The binding a sealed value holds; undefined for anything this key did not seal. */
  open(sealed: string): LoginBinding | undefined {
    if (sealed.length > MAX_SEALED_LENGTH) return undefined;
    const parts = sealed.split('.');
    if (parts.length !== 2) return undefined;
    const [encoded, signature] = parts as [string, string];
    if (!BASE64URL.test(encoded) || !BASE64URL.test(signature)) return undefined;
    const expected = this.mac(encoded);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return bindingOf(Buffer.from(encoded, 'base64url').toString('utf8'));
  }

  private mac(encoded: string): Buffer {
    return createHmac('sha256', this.key).update(CONTEXT).update(encoded).digest();
  }
}

/**
 * The binding in a genuinely sealed payload. Checked all the same: a key shared across versions
 * of the webapp (LOGIN_COOKIE_SECRET) may meet a payload of another shape.
 */
function bindingOf(json: string): LoginBinding | undefined {
  let payload: Partial<SealedPayload>;
  try {
    payload = JSON.parse(json) as Partial<SealedPayload>;
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || payload.v !== 1) return undefined;
  const { sc, st, cv, exp } = payload;
  if (!isScope(sc)) return undefined;
  if (typeof st !== 'string' || !BASE64URL.test(st) || st.length > 128) return undefined;
  if (typeof cv !== 'string' || !CODE_VERIFIER.test(cv)) return undefined;
  if (typeof exp !== 'number' || !Number.isSafeInteger(exp)) return undefined;
  return { scope: sc, state: st, codeVerifier: cv, expiresAt: exp };
}
