/** Whether the store answers now; the in-memory store always does. */
export interface StoreHealth {
  ping(): Promise<boolean>;
}

export const STORE_HEALTH = Symbol('STORE_HEALTH');
