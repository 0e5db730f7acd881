// libs/contracts' DTOs (class-transformer's @Type) need the metadata polyfill Nest loads.
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@app/common';
import { thrown } from '../test/support/fakes';
import { AuthConfig } from './auth.config';

const NO_FILE = '/nonexistent/application_config.json';
const load = (env: Record<string, string>, file = NO_FILE): AuthConfig =>
  loadConfig(AuthConfig, { env, file });
const refusal = (env: Record<string, string>, file = NO_FILE): string => {
  const error = thrown(() => load(env, file));
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message;
};
const REDIRECT_REFUSED =
  'invalid setting REDIRECT_URIS: each must be an http(s) URI without fragment or userinfo';

describe('AuthConfig', () => {
  it('runs with no settings, on the defaults of the contract', () => {
    expect(load({})).toMatchObject({
      port: 5001,
      issuer: 'http://localhost:5001',
      audience: 'http://localhost:5002',
      clientId: '1234',
      clientSecret: 'qwerty',
      redirectUris: ['http://localhost:5003/callback'],
      clientRequiresDpop: false,
      resourceClientId: 'resource-server',
      accessTokenTtl: 5,
      codeTtl: 60,
      clockLeeway: 0,
      codeQuotaPerAddress: 1000,
      authFailureLimit: 1000,
      keyRotationSeconds: 0,
      redisUrl: undefined,
      redisKeyPrefix: 'oauth:',
      redisTimeoutMs: 500,
      dpopProofMaxAgeSeconds: 60,
    });
  });

  it('reads the new settings from the environment', () => {
    expect(
      load({
        CODE_QUOTA_PER_ADDRESS: '5',
        KEY_ROTATION_SECONDS: '3600',
        REDIS_URL: 'rediss://cache.example:6380/0',
        REDIS_KEY_PREFIX: 'stack-a:',
        REDIS_TIMEOUT_MS: '250',
        DPOP_SIGNING_ALGS: 'ES256,EdDSA',
        DPOP_PROOF_MAX_AGE_SECONDS: '30',
        CLIENT_REQUIRES_DPOP: 'true',
      }),
    ).toMatchObject({
      codeQuotaPerAddress: 5,
      keyRotationSeconds: 3600,
      redisUrl: 'rediss://cache.example:6380/0',
      redisKeyPrefix: 'stack-a:',
      redisTimeoutMs: 250,
      dpopAlgorithms: ['ES256', 'EdDSA'],
      dpopProofMaxAgeSeconds: 30,
      clientRequiresDpop: true,
    });
  });

  describe('REDIRECT_URIS', () => {
    it('takes absolute http(s) URIs, with a port or a query', () => {
      expect(
        load({
          REDIRECT_URIS: 'http://localhost:5003/callback?tenant=a,https://app.example:8443/cb',
        }).redirectUris,
      ).toEqual(['http://localhost:5003/callback?tenant=a', 'https://app.example:8443/cb']);
    });

    it.each([
      ['a fragment (RFC 6749 3.1.2)', 'http://localhost:5003/callback#top'],
      ['an empty fragment', 'http://localhost:5003/callback#'],
      ['userinfo (RFC 9700 4.1)', 'http://user@localhost:5003/callback'],
      ['userinfo with a password', 'https://user:pw@app.example/cb'],
    ])('refuses a URI with %s, by name', (_name, uri) => {
      expect(refusal({ REDIRECT_URIS: uri })).toBe(REDIRECT_REFUSED);
    });

    it.each([
      ['ftp', 'ftp://localhost/callback'],
      ['javascript', 'javascript:alert(1)'],
      ['a custom scheme', 'com.example.app:/callback'],
      ['no scheme', 'localhost:5003/callback'],
    ])('refuses a URI of scheme %s', (_name, uri) => {
      expect(refusal({ REDIRECT_URIS: uri }).startsWith(REDIRECT_REFUSED)).toBe(true);
    });

    it('refuses the whole list for one bad URI in it', () => {
      expect(
        refusal({ REDIRECT_URIS: 'http://localhost:5003/callback,http://evil@localhost/cb' }),
      ).toBe(REDIRECT_REFUSED);
    });
  });

  it.each([
    ['CODE_QUOTA_PER_ADDRESS', '0', 'codeQuotaPerAddress must not be less than 1'],
    ['KEY_ROTATION_SECONDS', '-1', 'keyRotationSeconds must not be less than 0'],
    ['REDIS_URL', 'http://cache:6379', 'must be a redis:// or rediss:// URL'],
    ['REDIS_TIMEOUT_MS', '5', 'redisTimeoutMs must not be less than 10'],
    ['CLIENT_REQUIRES_DPOP', 'yes', 'clientRequiresDpop must be a boolean value'],
  ])('refuses %s=%s, naming it', (name, value, why) => {
    expect(refusal({ [name]: value })).toBe(`invalid setting ${name}: ${why}`);
  });

  it.each([
    ['REDIS_KEY_PREFIX', 'has space'],
    ['DPOP_SIGNING_ALGS', 'HS256'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(refusal({ [name]: value }).startsWith(`invalid setting ${name}: `)).toBe(true);
  });

  describe('the config file', () => {
    let dir: string;
    const file = (content: unknown): string => {
      const path = join(dir, 'application_config.json');
      writeFileSync(path, JSON.stringify(content));
      return path;
    };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'auth-config-'));
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('sets the authorization server’s settings from its environment’s section', () => {
      const config = load(
        {},
        file({
          production: { CODE_QUOTA_PER_ADDRESS: 7, REDIRECT_URIS: ['https://app.example/cb'] },
        }),
      );
      expect([config.codeQuotaPerAddress, config.redirectUris]).toEqual([
        7,
        ['https://app.example/cb'],
      ]);
    });

    it('refuses a key that is no setting of any service, by name', () => {
      expect(refusal({}, file({ production: { CODE_QUOTA_PER_ADRESS: 7 } }))).toBe(
        'invalid setting CONFIG_FILE: "CODE_QUOTA_PER_ADRESS" in section "production" is no setting of any service',
      );
    });

    it('refuses a bad redirect URI from the file as from the environment', () => {
      expect(refusal({}, file({ production: { REDIRECT_URIS: ['http://localhost/cb#x'] } }))).toBe(
        REDIRECT_REFUSED,
      );
    });
  });
});
