// DPoP (RFC 9449): proof verification and creation, thumbprints, the replay cache port and its
// adapters. The contract suite (dpop-replay.contract.ts) is for specs and is not exported.
export * from './dpop.errors';
export * from './jwk-thumbprint';
export * from './dpop-proof.verifier';
export * from './dpop-proof.signer';
export * from './dpop-replay.port';
export * from './in-memory-dpop-replay.cache';
export * from './redis-dpop-replay.cache';
