import { expect } from 'chai';
import type { MachineFigure } from '../../bench/harness/machine';
import { checkGoals, RATIO_GOALS } from '../../bench/report/goals';
import { halfPeakMismatch, machineStalls } from '../../bench/report/report';
import type { BareFigures, SendFigures } from '../../bench/scenarios/socket-bench';

/** The report's note on machine stalls, from figures made up for the purpose. */
describe('bench report: machine stalls note', () => {
  const runs = (pairs: [stall: number, gc: number][]) =>
    ({
      half_peak_runs: pairs.map(([stall, gc]) => ({ server_gc: { loop_stall_max_ms: stall, max_pause_ms: gc } })),
    }) as unknown as SendFigures;
  const damonOn: MachineFigure = {
    seconds: 100,
    busiest_others: [],
    damon: { running: 1, sample_ms: 500, actions: ['pageout'], cpu_ms_per_sample: 13 },
  };
  const damonOff: MachineFigure = { ...damonOn, damon: null };

  it('says the p99 measured the machine when the server stalled far longer than its GC pauses while DAMON ran', () => {
    const note = machineStalls(
      runs([
        [20.3, 3.1],
        [29.2, 4.8],
        [25.2, 4.5],
      ]),
      damonOn,
    );
    expect(note)
      .to.be.a('string')
      .and.include('stalled up to 25.2 ms')
      .and.include('longest GC pause was 4.5 ms')
      .and.include('13 ms of CPU every 500 ms');
  });

  it('says nothing when the stalls were short, no longer than the GC pauses, or DAMON was off', () => {
    expect(
      machineStalls(
        runs([
          [8, 2],
          [9, 2],
          [7, 2],
        ]),
        damonOn,
      ),
    ).to.equal(null);
    expect(
      machineStalls(
        runs([
          [20, 15],
          [22, 14],
          [21, 16],
        ]),
        damonOn,
      ),
    ).to.equal(null);
    expect(
      machineStalls(
        runs([
          [25, 4],
          [29, 4],
          [25, 4],
        ]),
        damonOff,
      ),
    ).to.equal(null);
    expect(machineStalls(undefined, damonOn)).to.equal(null);
  });
});

/** The note when the two sides of send_p99_vs_bare_at_half_peak did not see the same load. */
describe('bench report: half-peak load check', () => {
  const send = (offered: number, acked: number) =>
    ({ half_peak: { offered_per_s: offered, sends_per_s: acked } }) as unknown as SendFigures;
  const bare = (offered: number, acked: number) =>
    ({ half_peak: { offered_per_s: offered, sends_per_s: acked } }) as unknown as BareFigures;

  it("says nothing when bare socket.io ran at ChatPop's half-peak rate and both acked it", () => {
    expect(halfPeakMismatch(send(5000, 4990), bare(5000, 5001))).to.equal(null);
    expect(halfPeakMismatch(send(5000, 4500), bare(5000, 4500))).to.equal(null);
    expect(halfPeakMismatch(undefined, bare(5000, 5000))).to.equal(null);
  });

  it('says so when bare socket.io was offered another rate', () => {
    expect(halfPeakMismatch(send(5000, 5000), bare(4000, 4000)))
      .to.be.a('string')
      .and.include('offered 4000 sends/s, not ChatPop')
      .and.include('5000');
  });

  it('names the side that acked less than 90 % of the offered rate', () => {
    const note = halfPeakMismatch(send(5000, 4400), bare(5000, 5000));
    expect(note).to.be.a('string').and.include('ChatPop acked 4400/s').and.not.include('bare socket.io acked');
  });
});

/** Every goal is a ratio of this run, checked in its direction; an unmeasured one is neither met nor missed. */
describe('bench report: goals', () => {
  it('holds exactly the six ratio goals, and no absolute one', () => {
    expect(RATIO_GOALS.map((g) => g.ratio)).to.deep.equal([
      'send_vs_bare_emit',
      'send_p99_vs_bare_at_half_peak',
      'history_vs_bare_route',
      'history_deep_vs_bare_route',
      'monitoring_on_vs_off',
      'idle_socket_memory_vs_bare',
    ]);
  });

  it('meets an "at least" goal at or above it and an "at most" goal at or below it', () => {
    const goals = checkGoals({
      send_vs_bare_emit: 0.9,
      send_p99_vs_bare_at_half_peak: 2.01,
      history_vs_bare_route: 0.89,
      history_deep_vs_bare_route: 0.5,
      monitoring_on_vs_off: 1.01,
      idle_socket_memory_vs_bare: 1.25,
    });
    const met = Object.fromEntries(Object.entries(goals).map(([k, g]) => [k, g.met]));
    expect(met).to.deep.equal({
      send_vs_bare_emit: true,
      send_p99_vs_bare_at_half_peak: false,
      history_vs_bare_route: false,
      history_deep_vs_bare_route: true,
      monitoring_on_vs_off: true,
      idle_socket_memory_vs_bare: true,
    });
    expect(goals.send_p99_vs_bare_at_half_peak).to.include({ value: 2.01, goal: '<= 2' });
    expect(goals.send_vs_bare_emit).to.include({ value: 0.9, goal: '>= 0.9' });
  });

  it('leaves a goal whose ratio was not measured neither met nor missed', () => {
    const goals = checkGoals({ send_vs_bare_emit: null });
    expect(goals.send_vs_bare_emit).to.include({ value: null, met: null });
    expect(goals.idle_socket_memory_vs_bare).to.include({ value: null, met: null });
  });
});
