import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { CHART_DIR, readTemplate, renderChartObjects } from './helpers/chart-template';
import { runtimeImage } from './helpers/dockerfile';
import { DrainBudget, drainBudgetOf } from './helpers/drain';
import { buildShipped, KUSTOMIZATIONS } from './helpers/kustomize';

const fits = ({ grace, preStop, shutdownSeconds }: DrainBudget) => grace > preStop + shutdownSeconds;

describe('deploy: SIGTERM drain fits the grace period', () => {
  it('in the chart values: terminationGracePeriodSeconds > preStopSleepSeconds + shutdownTimeoutMs/1000', () => {
    const v = YAML.parse(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'));
    expect(v.terminationGracePeriodSeconds).to.be.above(v.preStopSleepSeconds + v.config.shutdownTimeoutMs / 1000);
  });

  it('in the chart templates: the grace period, the preStop sleep and SHUTDOWN_TIMEOUT_MS come from those values', () => {
    const deployment = readTemplate('deployment.yaml');
    expect(deployment).to.match(/terminationGracePeriodSeconds: \{\{ \.Values\.terminationGracePeriodSeconds \}\}/);
    expect(deployment).to.match(/command: \["sleep", "\{\{ \.Values\.preStopSleepSeconds \}\}"\]/);
    expect(readTemplate('configmap.yaml')).to.match(/SHUTDOWN_TIMEOUT_MS: \{\{ \.Values\.config\.shutdownTimeoutMs \| quote \}\}/);
    const budget = drainBudgetOf(renderChartObjects());
    expect(fits(budget), JSON.stringify(budget)).to.equal(true);
  });

  for (const key of ['base', 'overlay'] as const) {
    it(`in ${KUSTOMIZATIONS[key]}: terminationGracePeriodSeconds > preStop sleep + SHUTDOWN_TIMEOUT_MS/1000`, () => {
      const budget = drainBudgetOf(buildShipped(key));
      expect(fits(budget), JSON.stringify(budget)).to.equal(true);
    });
  }

  it('the image default SHUTDOWN_TIMEOUT_MS is the one the manifests budget for', () => {
    const image = runtimeImage();
    expect(Number(image.env.SHUTDOWN_TIMEOUT_MS)).to.equal(drainBudgetOf(buildShipped('base')).shutdownSeconds * 1000);
  });

  it('the check is live: a grace period of exactly preStop + drain does not fit', () => {
    expect(fits({ grace: 15, preStop: 5, shutdownSeconds: 10 })).to.equal(false);
    expect(fits({ grace: 16, preStop: 5, shutdownSeconds: 10 })).to.equal(true);
  });
});
