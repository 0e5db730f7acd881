import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { type Clock, SystemClock } from '../clock/clock.port';
import { withoutQuery } from '../observability/scrub';
import { jwkThumbprint } from './jwk-thumbprint';

/** What one proof is for: the request it goes with (RFC 9449 4.2). */
export interface DpopProofRequest {
  /** The request's method. */
  htm: string;
  /** The request's URL; its query and fragment are left out of the proof. */
  htu: string;
  /** At a protected resource: the access token sent with the proof, hashed into `ath`. */
  accessToken?: string;
  /** The nonce the server last sent in `DPoP-Nonce`, when it asks for one. */
  nonce?: string;
}

export interface DpopPublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/**
 * A client's DPoP key: an ES256 key pair made once, which signs one proof per request.
 * The header (typ, alg, public jwk) is encoded once; a proof then costs a JSON payload, a random
 * `jti` and one ES256 signature.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export class DpopKey {
  readonly alg = 'ES256';
  readonly publicJwk: Readonly<DpopPublicJwk>;
  /** The RFC 7638 thumbprint of the public key: the `jkt` the server binds tokens to. */
  readonly thumbprint: string;
  private readonly privateKey: KeyObject;
  private readonly clock: Clock;
  private readonly encodedHeader: string;

  private constructor(privateKey: KeyObject, publicJwk: DpopPublicJwk, clock: Clock) {
    this.privateKey = privateKey;
    this.publicJwk = Object.freeze(publicJwk);
    this.clock = clock;
    this.thumbprint = jwkThumbprint(publicJwk);
    const header = { typ: 'dpop+jwt', alg: this.alg, jwk: this.publicJwk };
    this.encodedHeader = Buffer.from(JSON.stringify(header), 'utf8').toString('base64url');
  }

  /** A fresh P-256 key pair; kept in memory only, for the life of the process. */
  static generate(clock: Clock = new SystemClock()): DpopKey {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { x, y } = publicKey.export({ format: 'jwk' });
    if (x === undefined || y === undefined) throw new Error('P-256 export lacks x or y');
    return new DpopKey(privateKey, { kty: 'EC', crv: 'P-256', x, y }, clock);
  }

  /**
   * A DPoP proof for one request, as a compact JWS: fresh `jti` (128 random bits) and `iat`,
   * `htu` without query and fragment, `ath` when an access token goes with it.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
   */
  proof(request: DpopProofRequest): string {
    const claims: Record<string, string | number> = {
      jti: randomBytes(16).toString('base64url'),
      htm: request.htm,
      // RFC 9449 4.2: `htu` is the URL without query and fragment.
      htu: withoutQuery(request.htu),
      iat: this.clock.nowSeconds(),
    };
    if (request.accessToken !== undefined) {
      claims.ath = createHash('sha256').update(request.accessToken, 'ascii').digest('base64url');
    }
    if (request.nonce !== undefined) claims.nonce = request.nonce;
    const input = `${this.encodedHeader}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input, 'ascii'), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${signature.toString('base64url')}`;
  }
}
