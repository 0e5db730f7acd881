// Turning measured rows into the printed tables: medians over rounds, same-round ratios, memory.
// Pure functions over plain rows, so that the arithmetic can be tested without running anything.
'use strict';

/** The median of a list of numbers (the mean of the middle two for an even count). */
function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const failed = (row) => row.non2xx > 0 || row.errors > 0;

/**
 * The comparisons the final table reports: numerator and denominator are participants measured
 * on the same scenario in the same round.
 */
function comparisons(variantNames) {
  return [
    { name: 'e2e stack/floor', scenario: 'e2e', num: 'stack', den: 'floor' },
    { name: 'token stack/oidc-provider', scenario: 'token', num: 'stack', den: 'oidc-provider' },
    { name: 'introspection stack/oidc-provider', scenario: 'introspect', num: 'stack', den: 'oidc-provider' },
    ...variantNames.map((v) => ({ name: `e2e ${v}/stack`, scenario: 'e2e', num: v, den: 'stack' })),
  ];
}

/**
 * For each comparison and connection count: the ratio of rates within each round, and the median
 * of those ratios. A ratio of two runs from different rounds is never taken (the machine drifts).
 */
function sameRoundRatios(rows, variantNames) {
  const out = [];
  for (const cmp of comparisons(variantNames)) {
    const conns = [...new Set(rows.filter((r) => r.scenario === cmp.scenario && r.participant === cmp.num).map((r) => r.connections))].sort((a, b) => a - b);
    for (const c of conns) {
      const pairs = [];
      for (const round of [...new Set(rows.map((r) => r.round))].sort((a, b) => a - b)) {
        const pick = (p) => rows.find((r) => r.round === round && r.participant === p && r.scenario === cmp.scenario && r.connections === c);
        const a = pick(cmp.num);
        const b = pick(cmp.den);
        if (a && b && b.rate > 0) pairs.push({ round, a, b, ratio: a.rate / b.rate });
      }
      if (pairs.length === 0) continue;
      const side = (key) => ({
        rate: median(pairs.map((p) => p[key].rate)),
        p50: median(pairs.map((p) => p[key].p50)),
        p99: median(pairs.map((p) => p[key].p99)),
        non2xx: pairs.reduce((n, p) => n + p[key].non2xx, 0),
        errors: pairs.reduce((n, p) => n + p[key].errors, 0),
        others_cpu_pct: median(pairs.map((p) => p[key].others_cpu_pct)),
      });
      out.push({
        comparison: cmp.name,
        connections: c,
        ratio: median(pairs.map((p) => p.ratio)),
        per_round: pairs.map((p) => p.ratio),
        num: side('a'),
        den: side('b'),
        flagged: pairs.some((p) => failed(p.a) || failed(p.b)),
      });
    }
  }
  return out;
}

/** One row per participant, scenario and connection count: medians over the rounds. */
function summarise(rows) {
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.participant}\u0000${r.scenario}\u0000${r.connections}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    const services = [...new Set(group.flatMap((r) => Object.keys(r.cpu_us_per_request)))];
    return {
      participant: first.participant,
      scenario: first.scenario,
      label: first.label,
      connections: first.connections,
      rounds: group.length,
      rate: Math.round(median(group.map((r) => r.rate))),
      p50: median(group.map((r) => r.p50)),
      p99: median(group.map((r) => r.p99)),
      non2xx: group.reduce((n, r) => n + r.non2xx, 0),
      errors: group.reduce((n, r) => n + r.errors, 0),
      cpu_us_per_request: Object.fromEntries(services.map((s) => [s, Math.round(median(group.map((r) => r.cpu_us_per_request[s])))])),
      others_cpu_pct: median(group.map((r) => r.others_cpu_pct)),
      ...(first.rss_mb ? { rss_mb: first.rss_mb } : {}),
    };
  });
}

const cpuText = (cpu) => Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(', ');
const fmt = (n, digits = 0) => (n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const flag = (r) => (failed(r) ? ' ⚠' : '');

/** The per-round figures, one line per run. */
function roundsTable(rows) {
  const lines = ['| round | participant | scenario | conns | req/s | p50 ms | p99 ms | non-2xx | errors | CPU µs per request | others\' CPU % |', '|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|'];
  for (const r of rows) {
    lines.push(`| ${r.round} | ${r.participant} | ${r.label} | ${r.connections} | ${fmt(r.rate)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors}${flag(r)} | ${cpuText(r.cpu_us_per_request)} | ${r.others_cpu_pct ?? '–'} |`);
  }
  return lines.join('\n');
}

/** The table bench.js always printed, now with the median of each figure over the rounds. */
function summaryTable(summary) {
  const lines = ['| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | errors | CPU µs per request | others\' CPU % |', '|---|---:|---:|---:|---:|---:|---:|---|---:|'];
  for (const r of summary) {
    lines.push(`| ${r.label} | ${r.connections} | ${fmt(r.rate)} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors}${flag(r)} | ${cpuText(r.cpu_us_per_request)} | ${r.others_cpu_pct ?? '–'} |`);
  }
  return lines.join('\n');
}

function ratioTable(ratios) {
  const lines = [
    '| comparison | conns | median ratio | per round | A req/s | A p50/p99 ms | B req/s | B p50/p99 ms | errors / non-2xx (A; B) | others\' CPU % (A; B) |',
    '|---|---:|---:|---|---:|---:|---:|---:|---|---|',
  ];
  for (const r of ratios) {
    const side = (s) => [fmt(s.rate), `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)}`];
    const [ar, al] = side(r.num);
    const [br, bl] = side(r.den);
    const errs = `${r.num.errors} / ${r.num.non2xx}; ${r.den.errors} / ${r.den.non2xx}${r.flagged ? ' ⚠ flagged' : ''}`;
    lines.push(`| ${r.comparison} | ${r.connections} | **${fmt(r.ratio, 3)}** | ${r.per_round.map((x) => fmt(x, 3)).join(', ')} | ${ar} | ${al} | ${br} | ${bl} | ${errs} | ${fmt(r.num.others_cpu_pct)}; ${fmt(r.den.others_cpu_pct)} |`);
  }
  return lines.join('\n');
}

function memoryTable(memory) {
  const lines = ['| service | idle RSS MB after warm-up | RSS MB at end | peak RSS MB |', '|---|---:|---:|---:|'];
  for (const m of memory) lines.push(`| ${m.service} | ${m.idle_rss_mb ?? '–'} | ${m.rss_mb ?? '–'} | ${m.peak_rss_mb ?? '–'} |`);
  return lines.join('\n');
}

module.exports = { median, failed, comparisons, sameRoundRatios, summarise, roundsTable, summaryTable, ratioTable, memoryTable };
