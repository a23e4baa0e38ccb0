import { expect } from 'chai';
import { createLogger } from '../../src/logger';
import {
  Monitor,
  MonitoringService,
  type MonitorSnapshot,
  type SettingsStore,
  type SharedSettings,
  type SnapshotBoard,
} from '../../src/monitoring';

/** A settings store in memory that can be made to fail. */
class FakeSettings implements SettingsStore {
  readonly kind = 'redis';
  value: Partial<SharedSettings> = {};
  failing = false;
  reads = 0;
  async read() {
    this.reads++;
    if (this.failing) throw new Error('store down');
    return { ...this.value };
  }
  async write(patch: Partial<SharedSettings>) {
    if (this.failing) throw new Error('store down');
    Object.assign(this.value, patch);
  }
}

class FakeBoard implements SnapshotBoard {
  readonly published: MonitorSnapshot[] = [];
  others: MonitorSnapshot[] = [];
  removed: string[] = [];
  failing = false;
  async publish(s: MonitorSnapshot) {
    if (this.failing) throw new Error('board down');
    this.published.push(s);
  }
  async list() {
    if (this.failing) throw new Error('board down');
    return this.others;
  }
  async remove(pod: string) {
    this.removed.push(pod);
  }
}

function setup(opts: { defaults?: SharedSettings; pollMs?: number } = {}) {
  const monitor = new Monitor({ pod: 'pod-svc', enabled: false });
  const settings = new FakeSettings();
  const board = new FakeBoard();
  const warnings: string[] = [];
  const log = createLogger('silent');
  // A spy on warn: how often the service complains is part of its behaviour.
  log.warn = ((_obj: unknown, msg?: string) => void warnings.push(String(msg))) as typeof log.warn;
  const service = new MonitoringService({
    monitor,
    settings,
    board,
    defaults: opts.defaults ?? { enable_monitoring: false },
    log,
    pollMs: opts.pollMs ?? 10,
    publishMs: 10,
  });
  return { monitor, settings, board, service, warnings };
}

/** Resolves once `fn` holds, checking after every few timer turns. */
async function eventually(fn: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never: ${what}`);
}

describe('MonitoringService', () => {
  it('applies the default until the switch is written, then follows the store', async () => {
    const { monitor, settings, service } = setup({ defaults: { enable_monitoring: true } });
    await service.start();
    try {
      expect(monitor.enabled, 'ENABLE_MONITORING=true with nothing stored').to.equal(true);
      settings.value.enable_monitoring = false; // another pod's PUT
      await eventually(() => !monitor.enabled, 'the monitor to follow the store');
      expect(await service.settings()).to.deep.equal({ enable_monitoring: false });
    } finally {
      await service.close();
    }
  });

  it('applies a change here at once and stores it for the other pods', async () => {
    const { monitor, settings, service } = setup({ pollMs: 60_000 });
    await service.start();
    try {
      expect(await service.updateSettings({ enable_monitoring: true })).to.deep.equal({ enable_monitoring: true });
      expect(monitor.enabled).to.equal(true);
      expect(settings.value).to.deep.equal({ enable_monitoring: true });
    } finally {
      await service.close();
    }
  });

  it('keeps the current switch while the store does not answer, warning once per outage', async () => {
    const { monitor, settings, service, warnings } = setup();
    await service.start();
    try {
      await service.updateSettings({ enable_monitoring: true });
      settings.failing = true;
      const reads = settings.reads;
      await eventually(() => settings.reads > reads + 3, 'several failed polls');
      expect(monitor.enabled).to.equal(true);
      expect(warnings.filter((w) => w.includes('cannot read the shared settings'))).to.have.length(1);
      settings.failing = false;
      settings.value.enable_monitoring = false;
      await eventually(() => !monitor.enabled, 'the monitor to follow the store again');
    } finally {
      await service.close();
    }
  });

  it('publishes its snapshot, merges the other pods into the view and leaves the board on close', async () => {
    const { monitor, board, service } = setup();
    const other = new Monitor({ pod: 'pod-other', enabled: true });
    other.record({ op: 'db.write', chatCode: 'SVC00001', count: 2, durationMs: 1 });
    board.others = [other.snapshot(), { ...monitor.snapshot(), taken_at: '2000-01-01T00:00:00.000Z' }];
    await service.start();
    const view = await service.view({ chat: 'svc00001' });
    expect(view.pods.map((p) => p.pod)).to.deep.equal(['pod-other', 'pod-svc']);
    expect(view.pods.find((p) => p.pod === 'pod-svc')!.taken_at, "this pod's own snapshot, not its stale copy").not.to.equal(
      '2000-01-01T00:00:00.000Z',
    );
    expect(view.events.map((e) => e.pod)).to.deep.equal(['pod-other']);
    expect(board.published.length).to.be.at.least(1);
    expect(board.published[0].pod).to.equal('pod-svc');
    await service.close();
    expect(board.removed).to.deep.equal(['pod-svc']);
  });

  it('answers with this pod alone when the other pods cannot be read', async () => {
    const { board, service } = setup();
    await service.start();
    try {
      board.failing = true;
      const view = await service.view();
      expect(view.pods.map((p) => p.pod)).to.deep.equal(['pod-svc']);
    } finally {
      await service.close();
    }
  });
});
