import { expect } from 'chai';
import type { MachineFigure } from '../../bench/harness/machine';
import { bareFloor, machineStalls } from '../../bench/report/report';
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

/** The report's note when the bare ceiling itself misses the p99 goal at ChatPop's half-peak rate. */
describe('bench report: bare floor note', () => {
  const bare = (p99s: number[], median: number) =>
    ({
      half_peak_runs: p99s.map((p99) => ({ ack_ms: { p99 } })),
      half_peak: { ack_p50_ms: 0.5, ack_p95_ms: 2, ack_p99_ms: median },
    }) as unknown as BareFigures;

  it("says the machine misses the goal without persistence when bare socket.io's median p99 is over 15 ms", () => {
    expect(bareFloor(bare([22.4, 31.0, 9.1], 22.4)))
      .to.be.a('string')
      .and.include('p99 of 22.4 ms')
      .and.include('15 ms goal');
  });

  it('says nothing when bare socket.io held the goal, or did not run at that rate', () => {
    expect(bareFloor(bare([8, 15, 9], 9))).to.equal(null);
    expect(bareFloor(bare([15, 15, 15], 15))).to.equal(null);
    expect(bareFloor(bare([], NaN))).to.equal(null);
    expect(bareFloor(undefined)).to.equal(null);
  });
});
