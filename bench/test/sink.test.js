'use strict';
const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');
const { createSink } = require('../sink');

describe('sink', () => {
  let sink;
  let url;
  before(async () => {
    sink = createSink();
    await new Promise((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${sink.server.address().port}`;
  });
  after(() => new Promise((resolve) => sink.server.close(resolve)));

  it('answers 200 to any POST and counts bodies and bytes per path', async () => {
    const post = (path, body, type) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
    const a = await post('/otel-100/v1/traces', Buffer.alloc(10), 'application/x-protobuf');
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('content-type'), 'application/x-protobuf');
    assert.equal((await a.arrayBuffer()).byteLength, 0);
    const b = await post('/otel-100/v1/traces?x=1', 'abc', 'application/x-protobuf');
    assert.equal(b.status, 200);
    await b.arrayBuffer();
    const c = await post('/api/1/envelope/', '{"a":1}', 'application/json');
    assert.equal(c.status, 200);
    assert.equal(await c.text(), '{}');
    const stats = await (await fetch(`${url}/stats`)).json();
    assert.deepEqual(stats, {
      posts: 3,
      bytes: 20,
      paths: { '/otel-100/v1/traces': { posts: 2, bytes: 13 }, '/api/1/envelope/': { posts: 1, bytes: 7 } },
    });
  });

  it('answers 405 to anything but POST (and GET /stats)', async () => {
    const res = await fetch(`${url}/v1/traces`, { method: 'PUT', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
  });
});
