import { expect } from 'chai';
import { medianRun, type StepFigure } from '../../bench/scenarios/socket-bench';

const run = (delivered: number, failed: Record<string, number> = {}) => ({ delivered_per_s: delivered, failed }) as StepFigure;

/** The bench's peak: the median of the peak step's runs, so that one lucky step does not set the half-peak rate. */
describe('bench peak: the median run', () => {
  it('takes the middle run by deliveries, and the lower middle of an even count', () => {
    expect(medianRun([run(900), run(1200), run(1000)]).delivered_per_s).to.equal(1000);
    expect(medianRun([run(1300), run(900)]).delivered_per_s).to.equal(900);
    expect(medianRun([run(700)]).delivered_per_s).to.equal(700);
  });

  it('leaves out runs that failed acks, unless every run did', () => {
    expect(medianRun([run(2000, { timeout: 3 }), run(900), run(1000)]).delivered_per_s).to.equal(900);
    expect(medianRun([run(2000, { timeout: 3 }), run(1000, { timeout: 1 })]).delivered_per_s).to.equal(1000);
  });
});
