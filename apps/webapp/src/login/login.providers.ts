import { randomBytes } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { CLOCK, type Clock, InMemoryDpopReplayCache } from '@app/common';
import type { WebappConfig } from '../webapp.config';
import { LOGIN_TTL_SECONDS, LoginBindingSeal } from './login-binding';
import { LoginCookie } from './login-cookie';
import { LoginService } from './login.service';
import { USED_LOGINS } from './used-logins.port';

/**
 * Most used bindings remembered at once; past it callbacks get 503 until entries expire (fail
 * closed, never a second use). Each entry is a callback that passed the binding check, which
 * costs its sender a /login and a /callback, each with a call to the authorization server: two
 * cores serve at most a few thousand such pairs a second, so the 61 s an entry lives hold well
 * under this. About 95 bytes an entry (measured for the same cache): 48 MB when full.
 */
const MAX_USED_LOGINS = 500_000;

/** The browser login's providers, for the webapp's composition root. */
export function loginProviders(config: WebappConfig): Provider[] {
  // Without LOGIN_COOKIE_SECRET the key lives and dies with the process: a restart makes the
  // cookies of the logins then in progress unverifiable, and those browsers start again.
  const key = config.loginCookieSecret ?? randomBytes(32);
  return [
    { provide: LoginBindingSeal, useValue: new LoginBindingSeal(key) },
    { provide: LoginCookie, useValue: new LoginCookie(config.redirectUri) },
    {
      provide: USED_LOGINS,
      inject: [CLOCK],
      useFactory: (clock: Clock) =>
        new InMemoryDpopReplayCache(clock, {
          maxEntries: MAX_USED_LOGINS,
          horizonSeconds: 2 * LOGIN_TTL_SECONDS,
        }),
    },
    LoginService,
  ];
}
