/* eslint-disable @typescript-eslint/no-floating-promises -- node:test registers suites synchronously; the runner awaits them */
/**
 * The front channel in a real browser (CONTRACT.md "The user's view": /login and /callback):
 * headless Chromium, driven by puppeteer-core over the DevTools protocol, follows /login to the
 * authorization endpoint, answers its HTTP Basic challenge the way a person answers the prompt
 * (puppeteer's `page.authenticate`), is sent back to /callback and shows the JSON. The login
 * cookie is inspected as the browser holds it when it sends it to /callback, and again after.
 *
 * Chromium is Debian's (`apt-get install -y chromium`), never a downloaded build; CHROMIUM_PATH
 * names another binary. Without one the suite is skipped with that advice, except under CI=true,
 * where a missing browser fails it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import puppeteer, {
  type Browser,
  type BrowserContext,
  type Cookie,
  type HTTPRequest,
  type Page,
} from 'puppeteer-core';
import { remember } from './support/secrets.ts';
import { NEEDS_LOGS, PASSWORD, Stack } from './support/stack.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOW_TO_GET_ONE = `no Chromium at ${CHROMIUM}: apt-get install -y chromium (Debian's package), or set CHROMIUM_PATH`;
const IN_CI = process.env.CI === 'true';
/** Skipped without a browser, except in CI, where the first test then fails with the advice. */
const SKIP: string | false = !existsSync(CHROMIUM) && !IN_CI ? HOW_TO_GET_ONE : false;

const COOKIE_NAME = 'webapp_login';

/** What the browser saw of one login: every hop, the cookie it held at /callback, the answer. */
interface BrowserLogin {
  hops: { url: string; status: number }[];
  heldAtCallback: Cookie | undefined;
  sentToCallback: string | undefined;
  status: number;
  contentType: string | undefined;
  body: string;
}

describe('the front channel in headless Chromium', { skip: SKIP }, () => {
  let stack: Stack;
  let browser: Browser;
  let profile: string;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), HOW_TO_GET_ONE);
    stack = await Stack.start('browser');
    profile = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      // Exactly these flags: none of puppeteer's defaults, a fresh profile, and the DevTools
      // protocol over a pipe rather than a port.
      ignoreDefaultArgs: true,
      pipe: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        'about:blank',
      ],
      timeout: 30_000,
    });
  });

  after(async () => {
    await browser?.close();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  /** A browser context of its own: cookies and cached Basic logins are per context. */
  async function person<T>(work: (context: BrowserContext) => Promise<T>): Promise<T> {
    const context = await browser.createBrowserContext();
    try {
      return await work(context);
    } finally {
      await context.close();
    }
  }

  /**
   * Opens /login?scope=... in a new page of `context` and lets the browser follow every
   * redirect, answering the authorization server's Basic challenge with `user`'s login. The
   * request to /callback is held while the cookie jar is read, so the cookie is seen as the
   * browser keeps it.
   */
  async function browserLogin(
    context: BrowserContext,
    scope: string,
    user: string,
  ): Promise<BrowserLogin> {
    const page: Page = await context.newPage();
    try {
      await page.authenticate({ username: user, password: remember('password', PASSWORD) });
      await page.setRequestInterception(true);
      let heldAtCallback: Cookie | undefined;
      let sentToCallback: string | undefined;
      page.on('request', (request: HTTPRequest) => {
        if (request.isInterceptResolutionHandled()) return;
        const url = new URL(request.url());
        if (`${url.origin}${url.pathname}` !== `${stack.webappUrl}/callback`) {
          void request.continue();
          return;
        }
        sentToCallback = request.headers().cookie;
        void context
          .cookies()
          .then((cookies) => {
            heldAtCallback = cookies.find((cookie) => cookie.name === COOKIE_NAME);
          })
          .finally(() => void request.continue());
      });
      const answer = await page.goto(`${stack.webappUrl}/login?scope=${scope}`, {
        waitUntil: 'load',
        timeout: 15_000,
      });
      assert.ok(answer !== null, 'no answer to the navigation');
      const hops = [
        ...answer
          .request()
          .redirectChain()
          .map((request) => ({ url: request.url(), status: request.response()?.status() ?? 0 })),
        { url: answer.url(), status: answer.status() },
      ];
      for (const hop of hops) {
        const query = new URL(hop.url).searchParams;
        for (const name of ['code', 'state', 'code_challenge']) {
          const value = query.get(name);
          if (value !== null) remember(name, value);
        }
      }
      if (heldAtCallback !== undefined) remember('login_cookie', heldAtCallback.value);
      return {
        hops,
        heldAtCallback,
        sentToCallback,
        status: answer.status(),
        contentType: answer.headers()['content-type'],
        body: await answer.text(),
      };
    } finally {
      await page.close();
    }
  }

  it('walks /login → the Basic prompt at /authorize → /callback and shows the JSON', async () => {
    const login = await person((context) => browserLogin(context, 'current_time', 'browser-alice'));
    const authorizationEndpoint = `${stack.issuer}/authorize`;
    assert.deepEqual(
      login.hops.map((hop) => {
        const url = new URL(hop.url);
        return [`${url.origin}${url.pathname}`, hop.status];
      }),
      [
        [`${stack.webappUrl}/login`, 302],
        [authorizationEndpoint, 302],
        [`${stack.webappUrl}/callback`, 200],
      ],
    );
    const callback = new URL(login.hops[2]!.url).searchParams;
    assert.equal(callback.get('iss'), stack.issuer);
    assert.equal(callback.get('state'), new URL(login.hops[1]!.url).searchParams.get('state'));
    assert.match(login.contentType ?? '', /^application\/json\b/);
    const body = JSON.parse(login.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['current_time', 'user']);
    assert.equal(body.user, 'browser-alice');
    assert.ok(Math.abs(Date.parse(String(body.current_time)) - Date.now()) < 5000);
  });

  it('answered the Basic challenge: the authorization server asked once, then issued a code', async (t) => {
    if (NEEDS_LOGS !== false) return t.skip(NEEDS_LOGS);
    const loginRequired = (e: Record<string, unknown>): boolean =>
      e.event === 'oauth_error' && e.error === 'login_required';
    const before = (await stack.waitForLogs('auth', loginRequired, 0)).length;
    await person((context) => browserLogin(context, 'epoch_time', 'browser-prompted'));
    const challenged = await stack.waitForLogs('auth', loginRequired, before + 1);
    assert.equal(
      challenged.length,
      before + 1,
      'the authorization server did not ask exactly once',
    );
    const issued = await stack.waitForLogs(
      'auth',
      (e) => e.event === 'code_issued' && e.user === 'browser-prompted',
    );
    assert.equal(issued.length, 1);
  });

  it('holds the binding HttpOnly, SameSite=Lax, host-only, for /callback, for 60 s, and sends it there', async () => {
    const started = Date.now() / 1000;
    const login = await person((context) => browserLogin(context, 'epoch_time', 'browser-bob'));
    assert.equal(login.status, 200, login.body);
    const cookie = login.heldAtCallback;
    assert.ok(cookie !== undefined, 'the browser held no login cookie at /callback');
    assert.equal(cookie.domain, new URL(stack.webappUrl).hostname);
    assert.equal(cookie.path, '/callback');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.secure, false, 'the redirect URI is http: no Secure');
    assert.equal(cookie.session, false);
    // Max-Age=60 from /login; the flow took well under the few seconds of slack.
    assert.ok(
      cookie.expires > started + 55 && cookie.expires <= started + 61,
      `expires ${cookie.expires}, login at ${started}`,
    );
    assert.match(cookie.value, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(login.sentToCallback, `${COOKIE_NAME}=${cookie.value}`);
    const body = JSON.parse(login.body) as Record<string, unknown>;
    assert.equal(body.user, 'browser-bob');
    assert.equal(typeof body.epoch_time, 'number');
  });

  it('leaves nothing behind: the cookie is gone, and the callback again is 400 JSON', async () => {
    await person(async (context) => {
      const login = await browserLogin(context, 'current_time', 'browser-carol');
      assert.equal(login.status, 200, login.body);
      assert.equal(
        (await context.cookies()).find((cookie) => cookie.name === COOKIE_NAME),
        undefined,
        'the login cookie outlived its callback',
      );
      const page = await context.newPage();
      const again = await page.goto(login.hops[2]!.url, { waitUntil: 'load' });
      assert.equal(again?.status(), 400);
      assert.match(again?.headers()['content-type'] ?? '', /^application\/json\b/);
      assert.deepEqual(JSON.parse((await again?.text()) ?? ''), {
        error: 'invalid_request',
        error_description: 'no login is in progress in this browser; start one at /login',
      });
    });
  });

  it('logs a second login of the same browser in without asking again (its Basic login is cached)', async () => {
    await person(async (context) => {
      const first = await browserLogin(context, 'current_time', 'browser-erin');
      const second = await browserLogin(context, 'epoch_time', 'someone-else');
      assert.equal(JSON.parse(first.body).user, 'browser-erin');
      // Chromium sends the cached credentials of the origin: the second login is erin's too.
      assert.equal(JSON.parse(second.body).user, 'browser-erin');
      assert.equal(typeof JSON.parse(second.body).epoch_time, 'number');
      assert.notEqual(second.heldAtCallback?.value, first.heldAtCallback?.value);
    });
  });

  it('keeps the login cookie, state, code and verifier out of every log line', async (t) => {
    if (NEEDS_LOGS !== false) return t.skip(NEEDS_LOGS);
    const login = await person((context) => browserLogin(context, 'current_time', 'browser-dave'));
    const cookie = login.heldAtCallback?.value ?? '';
    const payload = JSON.parse(
      Buffer.from(cookie.split('.')[0] ?? '', 'base64url').toString('utf8'),
    ) as { st: string; cv: string };
    const callback = new URL(login.hops[2]!.url).searchParams;
    const secrets = {
      cookie,
      state: payload.st,
      code_verifier: remember('code_verifier', payload.cv),
      code: callback.get('code') ?? '',
    };
    // The webapp's line for this callback is written when the answer goes out.
    await stack.waitForLogs(
      'webapp',
      (e) => e.event === 'login_completed' && e.user === 'browser-dave',
    );
    for (const app of ['auth', 'resource', 'webapp'] as const) {
      for (const line of stack.logLines(app) ?? []) {
        for (const [kind, value] of Object.entries(secrets)) {
          assert.ok(value.length >= 16, `${kind} is too short to search for`);
          assert.ok(!line.includes(value), `${app} logged the ${kind}: ${line}`);
        }
      }
    }
  });
});
