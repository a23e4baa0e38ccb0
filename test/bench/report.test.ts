import { expect } from 'chai';
import type { MachineFigure } from '../../bench/machine';
import { machineStalls } from '../../bench/report';
import type { SendFigures } from '../../bench/socket-bench';

/** The report's note on machine stalls, from figures made up for the purpose. */
describe('bench report: machine stalls note', () => {
  const runs = (pairs: [stall: number, gc: number][]) =>
    ({ half_peak_runs: pairs.map(([stall, gc]) => ({ server_gc: { loop_stall_max_ms: stall, max_pause_ms: gc } })) }) as unknown as SendFigures;
  const damonOn: MachineFigure = { seconds: 100, busiest_others: [], damon: { running: 1, sample_ms: 500, actions: ['pageout'], cpu_ms_per_sample: 13 } };
  const damonOff: MachineFigure = { ...damonOn, damon: null };

  it('says the p99 measured the machine when the server stalled far longer than its GC pauses while DAMON ran', () => {
    const note = machineStalls(runs([[20.3, 3.1], [29.2, 4.8], [25.2, 4.5]]), damonOn);
    expect(note).to.be.a('string').and.include('stalled up to 25.2 ms').and.include('longest GC pause was 4.5 ms').and.include('13 ms of CPU every 500 ms');
  });

  it('says nothing when the stalls were short, no longer than the GC pauses, or DAMON was off', () => {
    expect(machineStalls(runs([[8, 2], [9, 2], [7, 2]]), damonOn)).to.equal(null);
    expect(machineStalls(runs([[20, 15], [22, 14], [21, 16]]), damonOn)).to.equal(null);
    expect(machineStalls(runs([[25, 4], [29, 4], [25, 4]]), damonOff)).to.equal(null);
    expect(machineStalls(undefined, damonOn)).to.equal(null);
  });
});
