import {
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { Setting } from './setting.decorator';
import { DEFAULT_DPOP_SIGNING_ALGS, type DpopSigningAlg } from '../dpop/dpop-proof.verifier';
import { ServiceConfig } from './service.config';

/**
 * Settings of the two services that verify DPoP proofs and keep state that replicas share: the
 * authorization server (codes, tokens, revocations, limits, keys, proofs) and the resource
 * server (proofs). One declaration, so that both read the same variables with the same bounds.
 */
export class StatefulServiceConfig extends ServiceConfig {
  /**
   * The shared store (Redis or Valkey), `redis://` or `rediss://`; unset: state in memory, each
   * process its own. Set, every replica shares it.
   */
  @Setting('REDIS_URL')
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  redisUrl?: string;
  /** Prefix of every key this server writes, so that one Redis can serve several stacks. */
  @Setting('REDIS_KEY_PREFIX') @IsString() @Matches(/^[\w:.-]{0,64}$/) redisKeyPrefix = 'oauth:';
  /** Longest wait for one Redis command; past it the request fails closed (503). */
  @Setting('REDIS_TIMEOUT_MS', 'int') @IsInt() @Min(10) @Max(10_000) redisTimeoutMs = 500;

  /** DPoP proof algorithms accepted (RFC 9449 5.1 `dpop_signing_alg_values_supported`). */
  @Setting('DPOP_SIGNING_ALGS', 'list')
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(DEFAULT_DPOP_SIGNING_ALGS, { each: true })
  dpopAlgorithms: DpopSigningAlg[] = [...DEFAULT_DPOP_SIGNING_ALGS];
  /** Seconds a DPoP proof's `iat` may lie in the past (and, a little, in the future). */
  @Setting('DPOP_PROOF_MAX_AGE_SECONDS', 'int')
  @IsInt()
  @Min(1)
  @Max(600)
  dpopProofMaxAgeSeconds = 60;
}
