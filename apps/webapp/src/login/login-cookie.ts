import { parse, serialize, type SerializeOptions } from 'cookie';

/** The cookie that carries a browser's login binding from /login to /callback. */
export const LOGIN_COOKIE_NAME = 'webapp_login';

/**
 * The login cookie on the wire (RFC 6265, with the `cookie` library's parser and serialiser):
 * `HttpOnly`, so page scripts never see it; `SameSite=Lax`, so it rides along on the
 * authorization server's top-level redirect back but not on cross-site subrequests; `Path` of
 * the redirect URI, so it goes to the callback only; `Secure` when the redirect URI is https.
 * @see https://www.rfc-editor.org/rfc/rfc6265#section-4.1
 */
export class LoginCookie {
  private readonly attributes: SerializeOptions;

  constructor(redirectUri: string) {
    const url = new URL(redirectUri);
    this.attributes = {
      path: url.pathname,
      httpOnly: true,
      sameSite: 'lax',
      secure: url.protocol === 'https:',
    };
  }

  /** `Set-Cookie` for a new binding, kept `maxAgeSeconds`. */
  set(binding: string, maxAgeSeconds: number): string {
    return serialize(LOGIN_COOKIE_NAME, binding, { ...this.attributes, maxAge: maxAgeSeconds });
  }

  /** `Set-Cookie` that removes the binding from the browser. */
  clear(): string {
    return serialize(LOGIN_COOKIE_NAME, '', { ...this.attributes, maxAge: 0 });
  }

  /** The binding in a `Cookie` header; undefined when there is none (or it is empty). */
  read(header: string | string[] | undefined): string | undefined {
    if (typeof header !== 'string') return undefined;
    // Sealed bindings are base64url and a dot: nothing to decode, and nothing is decoded.
    const value = parse(header, { decode: (raw) => raw })[LOGIN_COOKIE_NAME];
    return value === undefined || value.length === 0 ? undefined : value;
  }
}
