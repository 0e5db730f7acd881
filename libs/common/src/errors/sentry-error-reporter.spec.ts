import type { ErrorEvent } from '@sentry/node';
import { scrubEvent } from './sentry-error-reporter';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl';
const CODE = 'SplxlOBeZQQYbYS6WxSbIA-abcdefghijklmnopqrstu';

describe('scrubEvent (beforeSend)', () => {
  it('keeps of the request only the method and the path', () => {
    const event = scrubEvent(
      {
        type: undefined,
        request: {
          method: 'GET',
          url: `/callback?code=${CODE}&state=s1`,
          headers: { authorization: 'Basic MTIzNDpxd2VydHk=' },
          cookies: { session: CODE },
          query_string: `code=${CODE}`,
          data: 'password=pw',
          env: { REMOTE_ADDR: '10.0.0.1' },
        },
      },
      [],
    );
    expect(event.request).toEqual({ method: 'GET', url: '/callback' });
  });

  it('scrubs secrets, JWTs and codes from messages, exception values, breadcrumbs and extra', () => {
    const event: ErrorEvent = {
      type: undefined,
      message: 'failed with qwerty',
      logentry: { message: `token ${JWT}`, params: [CODE, 3, { nested: ['qwerty'] }] },
      exception: {
        values: [
          {
            type: 'Error',
            value: `code ${CODE} rejected for pw-Secret`,
            stacktrace: { frames: [{ function: 'f', vars: { password: 'pw-Secret' } }] },
          },
        ],
      },
      breadcrumbs: [
        { message: `sent ${JWT}`, data: { url: `/authorize?state=${CODE}`, count: 1 } },
      ],
      extra: { form: { client_secret: 'qwerty' } },
      user: { ip_address: '10.0.0.1' },
      tags: { service: 'auth' },
    };
    expect(scrubEvent(event, ['qwerty', 'pw-Secret'])).toEqual({
      type: undefined,
      message: 'failed with [redacted]',
      logentry: {
        message: 'token [redacted]',
        params: ['[redacted]', 3, { nested: ['[redacted]'] }],
      },
      exception: {
        values: [
          {
            type: 'Error',
            value: 'code [redacted] rejected for [redacted]',
            stacktrace: { frames: [{ function: 'f' }] },
          },
        ],
      },
      breadcrumbs: [
        { message: 'sent [redacted]', data: { url: '/authorize?state=[redacted]', count: 1 } },
      ],
      extra: { form: { client_secret: '[redacted]' } },
      tags: { service: 'auth' },
    });
  });
});
