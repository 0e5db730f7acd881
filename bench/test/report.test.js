'use strict';
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const { median, sameRoundRatios, summarise, ratioTable } = require('../lib/report');

const row = (round, participant, scenario, connections, rate, extra = {}) => ({
  round, participant, scenario, label: `${participant} ${scenario}`, connections, rate, p50: rate / 100, p99: rate / 10,
  non2xx: 0, errors: 0, requests: rate * 10, cpu_us_per_request: { [participant]: 1000 / rate },
  others_cpu_pct: participant === 'floor' ? 10 : 30, ...extra,
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), undefined);
  });
});

describe('sameRoundRatios', () => {
  it('divides within each round and takes the median of the ratios, not the ratio of medians', () => {
    // Round 2 ran on a slow machine for both: its ratio is as good as the others.
    const rows = [
      row(1, 'stack', 'e2e', 16, 200), row(1, 'floor', 'e2e', 16, 1000),
      row(2, 'stack', 'e2e', 16, 100), row(2, 'floor', 'e2e', 16, 250),
      row(3, 'stack', 'e2e', 16, 300), row(3, 'floor', 'e2e', 16, 1000),
    ];
    const [r] = sameRoundRatios(rows, []);
    assert.equal(r.comparison, 'e2e stack/floor');
    assert.deepEqual(r.per_round, [0.2, 0.4, 0.3]);
    assert.equal(r.ratio, 0.3);
    assert.equal(r.num.rate, 200);
    assert.equal(r.den.rate, 1000);
    assert.equal(r.flagged, false);
    assert.match(ratioTable([r]), /^\| e2e stack\/floor \| 16 \| \*\*0\.300\*\* \| 0\.200, 0\.400, 0\.300 \| 200 \| 2\.0 \/ 20\.0 \| 1,000 \| 10\.0 \/ 100\.0 \| 0 \/ 0; 0 \/ 0 \| 30; 10 \|$/m);
  });
  it('pairs by connection count, skips rounds without both sides, and names variants against the stack', () => {
    const rows = [
      row(1, 'stack', 'e2e', 1, 50), row(1, 'stack', 'e2e', 64, 400), row(1, 'redis', 'e2e', 64, 200),
      row(1, 'stack', 'token', 16, 600), row(1, 'oidc-provider', 'token', 16, 300),
      row(2, 'stack', 'token', 16, 600),
    ];
    const out = sameRoundRatios(rows, ['redis']);
    assert.deepEqual(out.map((r) => [r.comparison, r.connections, r.ratio, r.per_round.length]), [
      ['token stack/oidc-provider', 16, 2, 1],
      ['e2e redis/stack', 64, 0.5, 1],
    ]);
  });
  it('flags a comparison when either side of any round had errors or non-2xx answers', () => {
    const rows = [
      row(1, 'stack', 'introspect', 16, 100), row(1, 'oidc-provider', 'introspect', 16, 100, { non2xx: 3 }),
      row(2, 'stack', 'introspect', 16, 100, { errors: 1 }), row(2, 'oidc-provider', 'introspect', 16, 100),
    ];
    const [r] = sameRoundRatios(rows, []);
    assert.equal(r.flagged, true);
    assert.equal(r.num.errors, 1);
    assert.equal(r.den.non2xx, 3);
    assert.match(ratioTable([r]), /1 \/ 0; 0 \/ 3 ⚠ flagged/);
  });
});

describe('summarise', () => {
  it('gives one row per participant, scenario and connection count with medians and summed failures', () => {
    const rows = [row(1, 'stack', 'e2e', 16, 100), row(2, 'stack', 'e2e', 16, 300, { non2xx: 2 }), row(3, 'stack', 'e2e', 16, 200), row(1, 'floor', 'e2e', 16, 900)];
    const s = summarise(rows);
    assert.equal(s.length, 2);
    assert.deepEqual({ rate: s[0].rate, p50: s[0].p50, p99: s[0].p99, non2xx: s[0].non2xx, rounds: s[0].rounds, cpu: s[0].cpu_us_per_request }, { rate: 200, p50: 2, p99: 20, non2xx: 2, rounds: 3, cpu: { stack: 5 } });
    assert.equal(s[1].participant, 'floor');
  });
});
