#!/usr/bin/env node
// Our configuration of the peer, node-oidc-provider 9.x (panva/node-oidc-provider), for
// `npm run bench -- --peers`: bench/lib/peers.js installs the package into bench/.peers/ (not in
// git) and starts this file with OIDC_PROVIDER_DIR pointing at it and PEER_PORT free.
//
// What it serves, production-like: the in-memory adapter, no development interactions, one
// confidential client (1234 / qwerty, client_secret_basic) with the client_credentials grant,
// ES256 JWT access tokens for one resource (the RFC 8707 resource indicator
// http://localhost:5002, scope current_time, 5 s, as the stack's tokens) and introspection.
// A client_credentials request without a resource gets an opaque token, the one introspected
// (oidc-provider refuses to introspect its own JWTs: they are meant to be verified locally).
// Its NOTICE/WARNING lines go to stdout/stderr, which bench.js reads and passes on.
'use strict';
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const http = require('node:http');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const RESOURCE = 'http://localhost:5002';

async function main() {
  const dir = process.env.OIDC_PROVIDER_DIR;
  const port = Number(process.env.PEER_PORT);
  if (!dir || !Number.isInteger(port)) throw new Error('OIDC_PROVIDER_DIR and PEER_PORT are required');
  const { default: Provider } = await import(pathToFileURL(join(dir, 'lib', 'index.js')).href);

  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'bench-es256' };
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: '1234',
      client_secret: 'qwerty',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'current_time',
    }],
    jwks: { keys: [signingKey] },
    // No default RS256: the only key is ES256, so every signature is ES256.
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['current_time'],
    ttl: {
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A client may introspect the tokens issued to it, nothing else.
        allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // No resource asked for: no resource server, hence an opaque token.
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) throw new Provider.errors.InvalidTarget();
          return {
            scope: 'current_time',
            audience: RESOURCE,
            accessTokenTTL: 5,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  });
  provider.on('server_error', (_ctx, err) => console.error(`server_error: ${err.message}`));

  const server = http.createServer(provider.callback());
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
