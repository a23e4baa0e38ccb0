import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureMonitoringCost } from '../../bench/scenarios/monitoring-cost';

// The benchmark's figures depend on the machine; this only checks that it measures what it says.
describe('bench: monitoring cost (tiny run on SQLite)', function () {
  this.timeout(60_000);

  it('measures both settings, sees the monitor at work only when on, and reports their ratio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatpop-cost-'));
    const watched: string[] = [];
    try {
      const r = await measureMonitoringCost({
        settings: { size: 'tiny' },
        serverEnv: { DATABASE_URL: `sqlite://${join(dir, 'db.sqlite')}` },
        watch: (w) => (watched.push(w.role), () => undefined),
      });
      expect(r.stack).to.equal('sqlite+memory');
      expect(r.on_ops_per_s).to.be.above(0);
      expect(r.off_ops_per_s).to.be.above(0);
      expect(r.ratio).to.be.closeTo(r.on_ops_per_s / r.off_ops_per_s, 0.01); // one round: the ratio is that pair's
      expect(r.slices.map((p) => p.monitoring).sort()).to.deep.equal(['off', 'on']);
      expect(r.on_spans_per_s, 'spans counted while on').to.be.above(0);
      expect(r.off_spans_counted, 'spans counted while off').to.equal(0);
      // Timings only: which is faster is for the bench to say, not for a test on a busy machine.
      expect(r.span_us.on).to.be.above(0);
      expect(r.span_us.off).to.be.above(0);
      expect(r.notes.join(' ')).not.to.include('loaded before telemetry');
      expect(watched).to.deep.equal(['monitoring-cost']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
