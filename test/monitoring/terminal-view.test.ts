import { expect } from 'chai';
import { Monitor, NO_REDIS_NOTE, readClusterView, renderClusterView, type MonitorSnapshot, type SnapshotBoard } from '../../src/monitoring';

const board = (snapshots: MonitorSnapshot[]): SnapshotBoard => ({
  publish: async () => undefined,
  list: async () => snapshots,
  remove: async () => undefined,
});

function pod(name: string, enabled = true): Monitor {
  return new Monitor({ pod: name, enabled, sampler: { now: () => 0 } });
}

const COLOURS = {
  bold: (s: string) => `<b>${s}</b>`,
  dim: (s: string) => `<dim>${s}</dim>`,
  green: (s: string) => `<g>${s}</g>`,
  red: (s: string) => `<r>${s}</r>`,
  yellow: (s: string) => `<y>${s}</y>`,
};

describe('monitor job view', () => {
  it('merges the pods and filters events by chat, case-insensitively', async () => {
    const a = pod('pod-a');
    const b = pod('pod-b', false);
    a.record({ op: 'cache.read', chatCode: 'VIEW0001', result: 'hit', count: 20, durationMs: 0.4, action: 'page' });
    a.record({ op: 'cache.read', chatCode: 'VIEW0002', result: 'miss', durationMs: 0.3, action: 'page' });
    b.setEnabled(true);
    b.record({ op: 'hybrid.query', chatCode: 'VIEW0001', cacheCount: 4, dbCount: 1, durationMs: 2.5 });
    b.setEnabled(false);

    const view = await readClusterView(board([b.snapshot(), a.snapshot()]), { chat: 'view0001' });
    expect(view).to.deep.include({ source: 'redis', chat: 'VIEW0001', note: null });
    expect(view.pods.map((p) => p.pod)).to.deep.equal(['pod-a', 'pod-b']);
    expect(view.events.map((e) => e.op)).to.have.members(['cache.read', 'hybrid.query']);
    expect(view.metrics).to.deep.include({ hits: 1, misses: 1, hybrid_queries: 1, total_ops: 3 });

    const text = renderClusterView(view, { intervalSeconds: 2 }).join('\n');
    expect(text).to.match(/^ChatPop monitor · 2 pods · mode detailed · \d\d:\d\d:\d\d UTC · chat VIEW0001 · every 2 s, Ctrl\+C to quit$/m);
    expect(text).to.match(/^pod-a\s+detailed\s+yes\s/m);
    expect(text).to.match(/^pod-b\s+off\s+NO\s/m);
    expect(text).to.include('monitoring is off on 1 of 2 pods');
    expect(text).to.match(/hybrid\.query\s+VIEW0001\s+4\+1\s+2\.50/);
    expect(text).to.match(/cache\.read\s+VIEW0001\s+hit\s+20\s+0\.40\s+page\s+pod-a/);
    expect(text).not.to.include('VIEW0002');
    expect(text).to.match(/^EVENTS newest 2 of 2 for VIEW0001$/m);
    // Counters and latencies cover every chat; only the event list is filtered.
    expect(text).to.match(/^cache\.read\s+2\s+0\.30\s+0\.40/m);
  });

  it('colours hits, misses and partial reads when given a style, and nothing otherwise', async () => {
    const a = pod('pod-a');
    a.record({ op: 'cache.read', chatCode: 'VIEW0003', result: 'hit', durationMs: 1 });
    a.record({ op: 'cache.read', chatCode: 'VIEW0003', result: 'miss', durationMs: 1 });
    a.record({ op: 'cache.read', chatCode: 'VIEW0003', result: 'partial', durationMs: 1 });
    const view = await readClusterView(board([a.snapshot()]));
    const lines = renderClusterView(view, { style: COLOURS });
    expect(lines.filter((l) => l.startsWith('<g>') && l.includes(' hit '))).to.have.length(1);
    expect(lines.filter((l) => l.startsWith('<r>') && l.includes(' miss '))).to.have.length(1);
    expect(lines.filter((l) => l.startsWith('<y>') && l.includes(' partial '))).to.have.length(1);
    expect(renderClusterView(view).join('\n')).not.to.match(/<\w+>/);
  });

  it('lists at most --limit events', async () => {
    const a = pod('pod-a');
    for (let i = 0; i < 30; i++) a.record({ op: 'db.read', chatCode: 'VIEW0004', durationMs: 1 });
    const text = renderClusterView(await readClusterView(board([a.snapshot()])), { events: 5 }).join('\n');
    expect(text).to.match(/^EVENTS newest 5 of 30$/m);
    expect(text.match(/db\.read\s+VIEW0004/g)).to.have.length(5);
  });

  it('says why the view is empty: no Redis, or no pod publishing', async () => {
    const none = await readClusterView(null);
    expect(none).to.deep.include({ source: 'none', note: NO_REDIS_NOTE, pods: [], events: [] });
    expect(renderClusterView(none).join('\n')).to.include(`note: ${NO_REDIS_NOTE}`);
    const quiet = await readClusterView(board([]));
    expect(quiet.note).to.match(/no pod has published/);
  });

  it('says monitoring is off and how to turn it on, with — for a hit rate that has no reads', async () => {
    const view = await readClusterView(board([pod('pod-a', false).snapshot(), pod('pod-b', false).snapshot()]));
    const text = renderClusterView(view).join('\n');
    expect(text).to.match(/^ChatPop monitor · 2 pods · mode OFF · /m);
    expect(text).to.include('monitoring is off: no pod counts anything').and.include('PUT /admin/settings {"enable_monitoring": true}');
    expect(text).to.include('hit rate — (0 hits').and.not.include('hit rate 0.0 %');
    expect(text).to.include('(no events: monitoring is off)');
  });

  it('explains an empty event log in aggregated mode', async () => {
    const a = new Monitor({ pod: 'pod-busy', enabled: true, sampler: { now: () => 0 } });
    for (let i = 0; i < 1500; i++) a.record({ op: 'cache.write', chatCode: 'VIEW0005', durationMs: 0.1 });
    const view = await readClusterView(board([{ ...a.snapshot(), events: [] }]));
    expect(view.mode).to.equal('aggregated');
    expect(renderClusterView(view).join('\n')).to.include('aggregated mode: counters only');
  });
});
