import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { MonitorSnapshot } from '../../src/monitoring';
import { otlpTracesConfigured } from '../../src/telemetry';
import { createTestDatabase } from '../support';

interface ChildReport {
  exporting: boolean;
  whileOff: boolean;
  whileOn: boolean;
  http: { httpRecording: boolean | null; inner: boolean };
  snapshot: MonitorSnapshot;
}

/** The environment without any OTEL_* variable of the developer's shell. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  return { ...env, ...extra };
}

function runChild(env: NodeJS.ProcessEnv): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(__dirname, 'fixtures', 'telemetry-child.js')], { env, timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`child failed: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as ChildReport);
    });
  });
}

describe('startTelemetry', () => {
  it('asks for an exporter only when an OTLP endpoint is configured', () => {
    expect(otlpTracesConfigured({})).to.equal(false);
    expect(otlpTracesConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).to.equal(true);
    expect(otlpTracesConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).to.equal(true);
    expect(otlpTracesConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).to.equal(false);
    expect(otlpTracesConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).to.equal(false);
  });

  it('without an exporter, instruments no library and records only our spans, only while the monitor is on', async () => {
    const report = await runChild(cleanEnv());
    expect(report.exporting).to.equal(false);
    expect(report.whileOff, 'span while the monitor is off').to.equal(false);
    expect(report.whileOn, 'span while the monitor is on').to.equal(true);
    expect(report.http.httpRecording, 'no http server span without an exporter').to.equal(null);
    expect(report.http.inner, 'our span inside an http request').to.equal(true);

    const { metrics, events } = report.snapshot;
    expect(metrics.ops['cache.read']).to.equal(1);
    expect(metrics.ops['db.read']).to.equal(1);
    expect(metrics.total_ops).to.equal(2);
    expect(events.map((e) => e.op)).to.deep.equal(['db.read', 'cache.read']);
    expect(events[1]).to.deep.include({ chat_code: 'TELE0001', result: 'hit', count: 3 });
    expect(JSON.stringify(report.snapshot)).not.to.include('do not copy');
  });

  describe('with an OTLP endpoint', () => {
    let collector: Server;
    const received: { url: string; body: Buffer }[] = [];

    before(async () => {
      collector = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ url: req.url ?? '', body: Buffer.concat(chunks) });
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    });

    after(() => new Promise<void>((resolve) => collector.close(() => resolve())));

    it('exports every span over OTLP/HTTP (protobuf by default) and still feeds the monitor', async () => {
      const { port } = collector.address() as AddressInfo;
      const report = await runChild(cleanEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '50' }));
      expect(report.exporting).to.equal(true);
      expect(report.whileOff, 'our spans exist for the exporter even with the monitor off').to.equal(true);
      expect(report.http.httpRecording).to.equal(true);
      expect(report.snapshot.metrics.total_ops).to.equal(2); // the span made while the monitor was off is not counted

      const traces = received.filter((r) => r.url === '/v1/traces');
      expect(traces).to.have.length.greaterThan(0);
      const all = Buffer.concat(traces.map((t) => t.body)).toString('latin1');
      for (const name of ['cache.read', 'db.read', 'chatpop-telemetry-test', 'TELE0001']) expect(all, name).to.include(name);
    });

    it("exports a failed PostgreSQL statement's span with its SQLSTATE, never the error text that quotes a value", async function () {
      this.timeout(30_000);
      const db = await createTestDatabase();
      try {
        received.length = 0;
        const { port } = collector.address() as AddressInfo;
        await runChild(
          cleanEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '50', CHILD_PG_URL: db.url }),
        );
        const all = Buffer.concat(received.filter((r) => r.url === '/v1/traces').map((t) => t.body)).toString('latin1');
        expect(all, 'the pg span').to.include('SELECT $1::uuid');
        // Both the exception event and the span status say only the SQLSTATE.
        expect(all.split("PostgreSQL error of type 'error' occurred (code: 22P02)")).to.have.length(3);
        expect(all).to.not.include('secret-7f3a');
      } finally {
        await db.drop();
      }
    });
  });
});
