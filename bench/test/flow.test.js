'use strict';
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { flowRequests } = require('../lib/load');

// Plays autocannon's part: setupRequest before each step, onResponse after it, and a restart
// (a fresh context) when setupRequest returns nothing.
function drive(steps, answers) {
  const sent = [];
  let context = {};
  let i = 0;
  for (const answer of answers) {
    const step = steps[i];
    const request = step.setupRequest ? step.setupRequest({ method: step.method, path: step.path }, context) : { method: step.method, path: step.path, headers: step.headers };
    if (!request) {
      context = {};
      i = 0;
      sent.push('restart');
      continue;
    }
    sent.push(request);
    step.onResponse(answer.status, answer.body ?? '', context, answer.headers ?? {});
    i = (i + 1) % steps.length;
    if (i === 0) context = {};
  }
  return sent;
}

describe('flowRequests (authorize -> token -> introspect per virtual user)', () => {
  it('carries the code from the redirect to /token and the token to /introspect, counting complete flows', () => {
    const counters = { completed: 0, failed: 0 };
    const steps = flowRequests(counters);
    assert.match(steps[0].path, /^\/authorize\?response_type=code&client_id=1234&.*code_challenge_method=S256$/);
    const sent = drive(steps, [
      { status: 302, headers: { Location: 'http://localhost:5003/callback?code=C1&state=s&iss=x' } },
      { status: 200, body: '{"access_token":"T1","token_type":"Bearer"}' },
      { status: 200, body: '{"active":true,"scope":"current_time"}' },
      { status: 302, headers: { location: 'http://localhost:5003/callback?code=C2&state=s&iss=x' } },
    ]);
    assert.match(sent[1].body, /^grant_type=authorization_code&code=C1&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback&code_verifier=[A-Za-z0-9_-]{43}$/);
    assert.equal(sent[1].headers.authorization, `Basic ${Buffer.from('1234:qwerty').toString('base64')}`);
    assert.equal(sent[2].body, 'token=T1');
    assert.equal(sent[2].headers.authorization, `Basic ${Buffer.from('resource-server:resource-secret').toString('base64')}`);
    assert.deepEqual(counters, { completed: 1, failed: 0 });
  });

  it('counts a step that fails and restarts the flow instead of sending a request without a code or token', () => {
    const counters = { completed: 0, failed: 0 };
    const sent = drive(flowRequests(counters), [
      { status: 401 },
      { status: 0 },
      { status: 302, headers: { location: 'http://localhost:5003/callback?code=C3&state=s' } },
      { status: 400, body: '{"error":"invalid_grant"}' },
      { status: 0 },
      { status: 302, headers: { location: 'http://localhost:5003/callback?code=C4&state=s' } },
      { status: 200, body: '{"access_token":"T4"}' },
      { status: 200, body: '{"active":false}' },
    ]);
    assert.equal(sent[1], 'restart');
    assert.equal(sent[4], 'restart');
    assert.deepEqual(counters, { completed: 0, failed: 3 });
  });
});

describe('tokenRequests (POST /token with prepared codes)', () => {
  it('redeems the codes in order, one per request, and stamps the time of each answer', () => {
    const { tokenRequests } = require('../lib/load');
    const clock = { last: 0 };
    const [step] = tokenRequests([{ code: 'A', verifier: 'va' }, { code: 'B', verifier: 'vb' }], clock);
    const first = step.setupRequest({ method: 'POST' });
    const second = step.setupRequest({ method: 'POST' });
    assert.equal(first.body, 'grant_type=authorization_code&code=A&redirect_uri=http%3A%2F%2Flocalhost%3A5003%2Fcallback&code_verifier=va');
    assert.match(second.body, /&code=B&.*&code_verifier=vb$/);
    assert.equal(first.headers['content-type'], 'application/x-www-form-urlencoded');
    const before = performance.now();
    step.onResponse(200, '{}', {}, {});
    assert.ok(clock.last >= before && clock.last <= performance.now());
  });
});
