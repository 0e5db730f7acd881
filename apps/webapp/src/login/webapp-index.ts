import { SCOPE_TABLE, SCOPES, type Scope } from '@app/contracts';

export interface IndexEntry {
  method: 'GET';
  path: string;
  /** The scope the endpoint's flow asks for. */
  scope?: Scope;
  /** The query parameters it takes and their accepted values. */
  query?: Record<string, readonly string[]>;
  description: string;
}

/** `GET /`: what the webapp offers, derived from the scope table like its routes. */
export interface WebappIndex {
  service: 'webapp';
  scopes: readonly Scope[];
  endpoints: IndexEntry[];
}

export function webappIndex(): WebappIndex {
  const api: IndexEntry[] = SCOPES.map((scope) => ({
    method: 'GET',
    path: SCOPE_TABLE[scope].path,
    scope,
    description:
      "runs one authorization-code flow for the user named by HTTP Basic (or the default user) and answers with the resource server's JSON",
  }));
  return {
    service: 'webapp',
    scopes: SCOPES,
    endpoints: [
      ...api,
      {
        method: 'GET',
        path: '/login',
        query: { scope: SCOPES },
        description:
          'starts a browser login: a cookie binds the flow to the browser, and a 302 sends it to the authorization server',
      },
      {
        method: 'GET',
        path: '/callback',
        description:
          "where the authorization server sends the browser back: checks the login, exchanges the code and answers like the scope's endpoint",
      },
      { method: 'GET', path: '/healthz', description: 'liveness' },
      { method: 'GET', path: '/readyz', description: 'readiness: both servers answer' },
    ],
  };
}
