/**
 * The login bindings already used, so that each is accepted at one callback only, even when the
 * browser (or whoever copied its cookie) sends the old cookie again. `firstUse` answers true the
 * first time an id is seen before `expiresAt` (epoch seconds) and false on every later call in
 * that window; it is atomic, and throws when it cannot record an id, so that the caller refuses
 * (fails closed) rather than let a binding be used twice.
 *
 * The webapp binds with a signed cookie and this record of used bindings, rather than a store of
 * logins in progress: a login that is started and never finished (a bot on /login, a user who
 * closes the tab) costs the server nothing, and only a completed callback takes an entry, which
 * is dropped once the binding has expired anyway. It is the contract of the DPoP replay cache
 * (one use per key within a lifetime), so its adapters serve here too: in memory per process,
 * or in Redis when replicas share the traffic.
 */
export interface UsedLogins {
  firstUse(id: string, expiresAt: number): Promise<boolean>;
}

export const USED_LOGINS = Symbol('USED_LOGINS');
