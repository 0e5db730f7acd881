/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * The project's DPoP verifier (libs/common/src/dpop) against proofs made by an implementation
 * nobody here wrote: oauth4webapi's DPoP() handle, for each key type it supports, at the token
 * endpoint and at a resource (with `ath`), with a server nonce, and tampered through its
 * modifyAssertion hook. No service is started: the proofs are caught by a customFetch.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { importProjectCode } from './support/project-code.ts';

/** What this suite uses of libs/common/src/dpop (its own types are CommonJS-only TypeScript). */
interface DpopLib {
  verifyDpopProof(
    proof: string,
    expectations: {
      method: string;
      url: string;
      nowSeconds: number;
      accessToken?: string;
      jkt?: string;
      nonce?: string;
    },
  ): { jkt: string; jti: string; iat: number; replayKey: string; expiresAt: number };
  rejectDpopReplay(
    cache: unknown,
    proof: { replayKey: string; expiresAt: number; jkt: string },
  ): Promise<void>;
  InMemoryDpopReplayCache: new (clock: { nowSeconds(): number }) => unknown;
  InvalidDpopProofError: new (...args: never[]) => Error & { description: string; code: string };
}

const AS: oauth.AuthorizationServer = {
  issuer: 'https://as.example.com',
  token_endpoint: 'https://as.example.com/token',
};
const CLIENT: oauth.Client = { client_id: 'dpop-e2e' };
const RESOURCE = 'https://rs.example.com/current_time';
const ACCESS_TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2ln';

/** Key pairs as WebCrypto makes them for each JWS algorithm oauth4webapi signs DPoP proofs with. */
const KEY_TYPES: Record<string, RsaHashedKeyGenParams | EcKeyGenParams | { name: 'Ed25519' }> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  ES384: { name: 'ECDSA', namedCurve: 'P-384' },
  ES512: { name: 'ECDSA', namedCurve: 'P-521' },
  PS256: {
    name: 'RSA-PSS',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  RS256: {
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  },
  Ed25519: { name: 'Ed25519' },
};

const now = (): number => Math.floor(Date.now() / 1000);

async function keyPair(alg: string): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(KEY_TYPES[alg]!, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
}

/** A fetch that keeps the DPoP header of each request and answers with `reply`. */
function catcher(reply: () => Response = () => new Response('{}', { status: 400 })) {
  const proofs: string[] = [];
  const fetch = async (
    _url: string,
    init: oauth.CustomFetchOptions<string, unknown>,
  ): Promise<Response> => {
    const proof = new Headers(init.headers).get('dpop');
    assert.ok(proof, 'oauth4webapi sent no DPoP header');
    proofs.push(proof);
    return reply();
  };
  return { proofs, fetch };
}

/** oauth4webapi's proof for a token request. */
async function tokenEndpointProof(
  dpop: oauth.DPoPHandle,
  options: oauth.TokenEndpointRequestOptions = {},
) {
  const caught = catcher();
  await oauth.clientCredentialsGrantRequest(
    AS,
    CLIENT,
    oauth.None(),
    {},
    {
      ...options,
      DPoP: dpop,
      [oauth.customFetch]: caught.fetch,
    },
  );
  return caught.proofs[0]!;
}

/** oauth4webapi's proof for a resource request with an access token. */
async function resourceProof(dpop: oauth.DPoPHandle, url = RESOURCE): Promise<string> {
  const caught = catcher(() => new Response('{}', { status: 200 }));
  await oauth.protectedResourceRequest(ACCESS_TOKEN, 'GET', new URL(url), new Headers(), null, {
    DPoP: dpop,
    [oauth.customFetch]: caught.fetch,
  });
  return caught.proofs[0]!;
}

describe('oauth4webapi DPoP proofs through verifyDpopProof', () => {
  let dpop: DpopLib;

  before(async () => {
    dpop = (await importProjectCode('libs/common/src/dpop/index.ts')) as DpopLib;
  });

  for (const alg of Object.keys(KEY_TYPES)) {
    it(`accepts ${alg} proofs at the token endpoint and at a resource, with oauth4webapi's thumbprint`, async () => {
      const handle = oauth.DPoP(CLIENT, await keyPair(alg));
      const jkt = await handle.calculateThumbprint();

      const atToken = dpop.verifyDpopProof(await tokenEndpointProof(handle), {
        method: 'POST',
        url: AS.token_endpoint!,
        nowSeconds: now(),
      });
      assert.equal(atToken.jkt, jkt);

      const atResource = dpop.verifyDpopProof(await resourceProof(handle, `${RESOURCE}?x=1`), {
        method: 'GET',
        url: RESOURCE,
        nowSeconds: now(),
        accessToken: ACCESS_TOKEN,
        jkt,
      });
      assert.equal(atResource.jkt, jkt);
      assert.notEqual(atResource.jti, atToken.jti);
    });
  }

  it('accepts a proof carrying the nonce the server sent in DPoP-Nonce', async () => {
    const handle = oauth.DPoP(CLIENT, await keyPair('ES256'));
    // The first answer hands out a nonce, which the handle puts into the next proof.
    const first = catcher(
      () => new Response('{}', { status: 400, headers: { 'dpop-nonce': 'server-nonce-1' } }),
    );
    await oauth.clientCredentialsGrantRequest(
      AS,
      CLIENT,
      oauth.None(),
      {},
      {
        DPoP: handle,
        [oauth.customFetch]: first.fetch,
      },
    );
    const expectations = {
      method: 'POST',
      url: AS.token_endpoint!,
      nowSeconds: now(),
      nonce: 'server-nonce-1',
    };
    assert.throws(
      () => dpop.verifyDpopProof(first.proofs[0]!, expectations),
      (err: unknown) => err instanceof dpop.InvalidDpopProofError && err.code === 'use_dpop_nonce',
    );
    const withNonce = await tokenEndpointProof(handle);
    assert.doesNotThrow(() => dpop.verifyDpopProof(withNonce, expectations));
  });

  it('refuses oauth4webapi proofs tampered after the fact, and the replay of a good one', async () => {
    const pair = await keyPair('ES256');
    const wrongMethod = oauth.DPoP(CLIENT, pair, {
      [oauth.modifyAssertion]: (_header, payload) => {
        payload.htm = 'DELETE';
      },
    });
    const tampered = await tokenEndpointProof(wrongMethod);
    assert.throws(
      () =>
        dpop.verifyDpopProof(tampered, {
          method: 'POST',
          url: AS.token_endpoint!,
          nowSeconds: now(),
        }),
      { description: 'the DPoP proof htm does not match the request method' },
    );

    const good = oauth.DPoP(CLIENT, pair);
    const proof = await resourceProof(good);
    const cache = new dpop.InMemoryDpopReplayCache({ nowSeconds: now });
    const expectations = {
      method: 'GET',
      url: RESOURCE,
      nowSeconds: now(),
      accessToken: ACCESS_TOKEN,
    };
    await dpop.rejectDpopReplay(cache, dpop.verifyDpopProof(proof, expectations));
    await assert.rejects(dpop.rejectDpopReplay(cache, dpop.verifyDpopProof(proof, expectations)), {
      description: 'the DPoP proof has been used before',
    });
    assert.throws(
      () => dpop.verifyDpopProof(proof, { ...expectations, accessToken: `${ACCESS_TOKEN}x` }),
      {
        description: 'the DPoP proof ath does not match the access token',
      },
    );
  });
});
