/** The Redis entry of the common library (`@app/common/redis`): one connection per process. */
export * from './redis-connection';
