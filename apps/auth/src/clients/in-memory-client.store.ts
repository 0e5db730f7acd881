import type { ClientStore, RegisteredClient } from './client-store.port';

/** Clients from configuration, held in memory. */
export class InMemoryClientStore implements ClientStore {
  private readonly clients: ReadonlyMap<string, RegisteredClient>;

  constructor(clients: readonly RegisteredClient[]) {
    this.clients = new Map(clients.map((client) => [client.id, client]));
  }

  findById(id: string): Promise<RegisteredClient | undefined> {
    return Promise.resolve(this.clients.get(id));
  }
}
