import type { RedisConnection } from '@app/common/redis';
import { defineScript, type CommandParser } from 'redis';

/*
 * The Lua scripts of the Redis stores. node-redis sends each by EVALSHA and falls back to EVAL
 * on NOSCRIPT (a restarted or flushed server), so they need no loading step. They use only
 * Lua 5.1 and commands that Valkey has too, and every key they touch is passed in KEYS except
 * the owner's quota set in `consumeCode`, whose name the code's own hash holds (the store runs on
 * one primary; Redis Cluster would need both keys in one slot, which a code cannot know).
 * Times are the caller's epoch seconds; TTLs are relative to them, so the server's clock
 * matters only as the garbage collector.
 */

/**
 * Saves a code unless its owner holds `quota` unredeemed, unexpired ones.
 * KEYS: code hash key, owner's quota set (members: code keys, scored by expiry).
 * ARGV: now, expiresAt, quota, clientId, grant JSON. Returns 'saved' or 'quota_exceeded'.
 */
const SAVE_CODE = `
local now = tonumber(ARGV[1])
local expires_at = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  return 'quota_exceeded'
end
local ttl = math.max(1, expires_at - now)
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'client', ARGV[4], 'expires_at', ARGV[2], 'grant', ARGV[5],
  'owner_key', KEYS[2])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], expires_at, KEYS[1])
if redis.call('TTL', KEYS[2]) < ttl then
  redis.call('EXPIRE', KEYS[2], ttl)
end
return 'saved'
`;

/**
 * Redeems a code for its client, or tells why not, in one atomic step.
 * KEYS: code hash key. ARGV: clientId, jti, now, keepUsedSeconds.
 * Returns {'redeemed', grant} | {'replayed', grant, first jti} | {'other_client'} | {'unknown'}.
 */
const CONSUME_CODE = `
local entry = redis.call('HMGET', KEYS[1], 'client', 'expires_at', 'grant', 'owner_key',
  'jti', 'forget_at')
if not entry[1] then
  return {'unknown'}
end
local now = tonumber(ARGV[3])
if entry[5] then
  if tonumber(entry[6]) <= now then
    return {'unknown'}
  end
  if entry[1] ~= ARGV[1] then
    return {'other_client'}
  end
  return {'replayed', entry[3], entry[5]}
end
if tonumber(entry[2]) <= now then
  return {'unknown'}
end
if entry[1] ~= ARGV[1] then
  return {'other_client'}
end
local keep = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'jti', ARGV[2], 'forget_at', now + keep)
redis.call('EXPIRE', KEYS[1], math.max(1, keep))
redis.call('ZREM', entry[4], KEYS[1])
return {'redeemed', entry[3]}
`;

/**
 * Drops the keys listed until before `now`, then returns the JWK JSON of the others.
 * KEYS: kid set scored by until, kid -> JWK JSON hash. ARGV: now.
 */
const LIST_KEYS = `
local bound = '(' .. ARGV[1]
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', bound)
if #gone > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', bound)
  redis.call('HDEL', KEYS[2], unpack(gone))
end
local kids = redis.call('ZRANGE', KEYS[1], 0, -1)
if #kids == 0 then
  return {}
end
return redis.call('HMGET', KEYS[2], unpack(kids))
`;

/** What the scripts answer: status strings and arrays of strings (nil as null). */
type ScriptReply = string | Array<string | null>;

export const STORE_SCRIPTS = {
  saveCode: defineScript({
    SCRIPT: SAVE_CODE,
    NUMBER_OF_KEYS: 2,
    parseCommand(
      parser: CommandParser,
      codeKey: string,
      ownerKey: string,
      args: { now: number; expiresAt: number; quota: number; clientId: string; grant: string },
    ) {
      parser.pushKey(codeKey);
      parser.pushKey(ownerKey);
      parser.push(String(args.now), String(args.expiresAt), String(args.quota));
      parser.push(args.clientId, args.grant);
    },
    transformReply: (reply: ScriptReply): ScriptReply => reply,
  }),
  consumeCode: defineScript({
    SCRIPT: CONSUME_CODE,
    NUMBER_OF_KEYS: 1,
    parseCommand(
      parser: CommandParser,
      codeKey: string,
      args: { clientId: string; jti: string; now: number; keepUsedSeconds: number },
    ) {
      parser.pushKey(codeKey);
      parser.push(args.clientId, args.jti, String(args.now), String(args.keepUsedSeconds));
    },
    transformReply: (reply: ScriptReply): ScriptReply => reply,
  }),
  listKeys: defineScript({
    SCRIPT: LIST_KEYS,
    NUMBER_OF_KEYS: 2,
    parseCommand(parser: CommandParser, untilKey: string, jwkKey: string, now: number) {
      parser.pushKey(untilKey);
      parser.pushKey(jwkKey);
      parser.push(String(now));
    },
    transformReply: (reply: ScriptReply): ScriptReply => reply,
  }),
};

/** The connection the Redis stores run on: the process's one, with these scripts defined. */
export type StoreConnection = RedisConnection<typeof STORE_SCRIPTS>;
