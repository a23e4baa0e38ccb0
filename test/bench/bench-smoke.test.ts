import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { sendSteps } from '../../bench/scenarios/socket-bench';
import { imageNodeMajor } from '../../bench/harness/stack';
import { SECTIONS } from '../../bench/harness/settings';
import { makeTempDir, removeTempDir, spawnTracked } from '../support/child-processes';

const repo = path.resolve(__dirname, '..', '..', '..');
const script = path.join(repo, 'dist', 'bench', 'run.js');

/**
 * `make bench` at its smallest size (BENCH_SIZE=tiny): every section runs against its own Redis,
 * PostgreSQL and server processes, and the output has the shape readers and scripts rely on.
 * Only shape and correctness are checked here; timing goals live in the benchmark, never in tests.
 */
describe('bench (tiny run)', function () {
  this.timeout(180_000);
  let dir: string;
  let stdout: string;
  let results: any;
  let exit: { code: number | null };

  before(async () => {
    dir = makeTempDir('chatpop-bench-');
    const proc = spawnTracked('bench', process.execPath, [script], {
      cwd: repo,
      env: {
        ...process.env,
        BENCH_SIZE: 'tiny',
        BENCH_QUICK: '',
        // Every section, send-per-chat too (opt-in: no run takes it unless named).
        BENCH_ONLY: SECTIONS.join(','),
        BENCH_PROFILE: '',
        BENCH_RESULTS: path.join(dir, 'results.json'),
        BENCH_CHART: path.join(dir, 'chart.svg'),
      },
    });
    exit = await proc.exited;
    stdout = proc.output();
    results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8'));
  });
  after(() => dir && removeTempDir(dir));
  // results.json as read, untyped: ChatPop's send steps in the order they ran
  const everySendStep = (): any[] => sendSteps(results.details.send);

  it('finishes every section without an error', () => {
    expect(results.errors, stdout).to.deep.equal({});
    expect(exit.code, stdout).to.equal(0);
  });

  it('reports the goal figures and ratios as numbers', () => {
    for (const key of [
      'send_ack_p99_ms_at_half_peak',
      'send_peak_delivered_per_s',
      'bare_emit_delivered_per_s',
      'bare_route_requests_per_s',
      'history_first_page_requests_per_s',
      'history_deep_page_requests_per_s',
      'deep_page_pg_queries_per_s',
      'history_deep_replica_requests_per_s',
      'bare_emit_half_peak_sends_per_s',
      'scale_connect_s',
      'bare_scale_connect_s',
      'scale_broadcast_deliver_p99_ms',
      'bare_scale_broadcast_deliver_p99_ms',
      'recovery_join_ack_ms',
      'recovery_total_ms',
      'idle_memory_kb_per_socket',
      'pg_insert_loop_rows_per_s',
      'pg_batched_insert_rows_per_s',
      'redis_evalsha_upsert_append_ops_per_s',
      'send_per_chat_peak_sends_per_s',
      'send_per_chat_peak_delivered_per_s',
    ]) {
      expect(results.figures[key], key).to.be.a('number').and.satisfy(Number.isFinite);
    }
    // RSS per socket moves with V8's young generation: each side's growth is reported beside it.
    for (const side of ['memory', 'bareMemory'])
      expect(results.details[side]?.young_kb_per_socket, side).to.be.a('number').and.satisfy(Number.isFinite);
    for (const key of [
      'send_vs_bare_emit',
      'send_p99_vs_bare_at_half_peak',
      'history_vs_bare_route',
      'history_deep_vs_bare_route',
      'history_deep_vs_pg_page',
      'history_deep_replica_vs_bare_route',
      'monitoring_on_vs_off',
      'scale_connect_vs_bare',
      'scale_broadcast_p99_vs_bare',
      'send_per_chat_vs_bare_emit',
      'send_per_chat_vs_one_statement',
    ])
      expect(results.ratios[key], key).to.be.a('number').above(0);
    // Memory growth of 20 sockets may read zero or less at this size: then the ratio is null, never a number of noise.
    expect(results.ratios).to.have.property('idle_socket_memory_vs_bare');
    expect(results.ratios.send_p99_vs_bare_at_half_peak).to.equal(
      Math.round((results.figures.send_ack_p99_ms_at_half_peak / results.figures.bare_emit_ack_p99_ms_at_half_peak) * 1000) / 1000,
    );
    for (const [key, value] of Object.entries({ ...results.figures, ...results.ratios })) {
      expect(value === null || typeof value === 'number', `${key} = ${value}`).to.equal(true);
    }
    expect(Object.keys(results.goals)).to.deep.equal([
      'send_vs_bare_emit',
      'send_p99_vs_bare_at_half_peak',
      'history_vs_bare_route',
      'history_deep_vs_bare_route',
      'monitoring_on_vs_off',
      'idle_socket_memory_vs_bare',
    ]);
    for (const [key, goal] of Object.entries(results.goals) as [string, any][]) {
      expect(goal.value, key).to.equal(results.ratios[key]);
      expect(goal.goal, key).to.match(/^(>=|<=) [\d.]+$/);
    }
  });

  it('shows every goal with its ratio and met or missed in the first table', () => {
    const lines = stdout.split('\n');
    const first = lines.findIndex((l) => l.startsWith('GOALS'));
    expect(first, stdout).to.be.at.least(0);
    expect(
      lines.slice(0, first).filter((l) => /^\s+\S/.test(l)),
      'no table before the goals',
    ).to.deep.equal([]);
    for (const key of Object.keys(results.goals)) {
      const row = lines.slice(first).find((l) => l.startsWith(`  ${key} `));
      expect(row, key).to.match(/ (met|MISSED|not measured) /);
    }
  });

  it('runs the deep-page statement through a bare pg pool on the same rows, in turns with the route', () => {
    const pg = results.details.deepPagePg;
    expect(pg.errors).to.equal(0);
    expect(pg.non_2xx, 'pages short of their 50 rows').to.equal(0);
    expect(pg.runs).to.have.length(results.details.historyDeep.runs.length);
    expect(stdout).to.include('pg deep-page statement');
  });

  it('serves the deep page from a streaming standby on a server with DATABASE_READ_URLS', () => {
    const replica = results.details.historyDeepReplica;
    expect(replica.source).to.equal('db');
    expect(replica.non_2xx).to.equal(0);
    expect(replica.replica_reads.served).to.be.above(0);
    expect(replica.replica_reads.lagging + replica.replica_reads.failed).to.equal(0);
    expect(results.processes.map((p: { role: string }) => p.role)).to.include.members([
      'chatpop server, replica reads',
      'postgres standby (all backends)',
    ]);
  });

  it('connects the scale sockets to ChatPop and bare socket.io and delivers every broadcast to every socket of the room', () => {
    for (const f of [results.details.scale, results.details.bareScale]) {
      expect(f.sockets).to.equal(60);
      expect(f.broadcast.sockets).to.equal(30);
      expect(f.broadcast.missing).to.equal(0);
      expect(f.broadcast.failed).to.equal(0);
      expect(f.broadcast.deliver_ms.count).to.equal(f.broadcast.sockets * f.broadcast.broadcasts);
      expect(f.connect_s).to.be.above(0);
    }
    expect(stdout).to.include('SCALE');
  });

  it('reads the first page from the cache and the deep page from the database', () => {
    expect(results.details.historyFirst.source).to.equal('cache');
    expect(results.details.historyDeep.source).to.equal('db');
  });

  it('acks every send and delivers every message:new, in seq order, to every socket under load', () => {
    const steps = everySendStep();
    for (const step of steps) {
      expect(step.failed).to.deep.equal({});
      expect(step.order_errors).to.equal(0);
      expect(step.gap_errors).to.equal(0);
      expect(step.skipped).to.equal(0);
    }
  });

  it('reports the ChatPop server’s garbage collection pauses in each of its send steps, from the server’s own log', () => {
    const steps = everySendStep();
    for (const step of steps) {
      expect(step.window.to).to.be.above(step.window.from);
      expect(step.server_gc, JSON.stringify(step)).to.be.an('object');
      for (const key of [
        'scavenges',
        'scavenge_total_ms',
        'scavenge_max_ms',
        'mark_compacts',
        'mark_compact_max_ms',
        'max_pause_ms',
        'loop_stalls',
        'loop_stall_max_ms',
      ]) {
        expect(step.server_gc[key], key).to.be.a('number').at.least(0);
      }
    }
    // A whole run allocates far more than one young generation: the log cannot be empty.
    expect(steps.reduce((k: number, st: { server_gc: { scavenges: number } }) => k + st.server_gc.scavenges, 0)).to.be.above(0);
    expect(stdout).to.include('server GC max').and.include('server stall max');
  });

  it('reports how long the ChatPop server waited for a core in each send step', function () {
    const steps = everySendStep();
    if (!('chatpop server' in steps[0].cpu_wait_pct)) this.skip(); // a kernel without /proc/PID/schedstat
    for (const step of steps)
      expect(step.cpu_wait_pct['chatpop server'], JSON.stringify(step.cpu_wait_pct)).to.be.a('number').at.least(0).and.at.most(100);
    expect(results.figures.send_server_cpu_wait_pct_at_half_peak).to.be.a('number').at.least(0);
    expect(stdout).to.include('server wait %');
  });

  it("splits each ChatPop send step's ack time into the server's part, read from its /metrics: one timing per acked send", () => {
    const steps = everySendStep();
    for (const step of steps) {
      expect(step.server_ack, JSON.stringify(step)).to.be.an('object');
      expect(step.server_ack.count, 'sends the server timed = sends the clients saw acked').to.equal(step.ack_ms.count);
      expect(step.server_ack.p50_ms).to.be.above(0).and.at.most(step.server_ack.p95_ms);
      expect(step.server_ack.p95_ms).to.be.at.most(step.server_ack.p99_ms);
    }
    expect(results.figures.send_server_ack_p99_ms_at_half_peak).to.be.a('number').above(0);
    expect(stdout).to.include('of which in the server');
  });

  it('reruns the best ramp step of ChatPop and of bare socket.io in turns, and takes the median run as each peak', () => {
    const { send, bareEmit } = results.details;
    const lastRampStep = Math.max(send.ramp.at(-1).window.to, bareEmit.ramp.at(-1).window.to);
    for (const target of [send, bareEmit]) {
      expect(target.peak_runs).to.have.length(2);
      const best = target.ramp.reduce((a: any, b: any) => (b.delivered_per_s > a.delivered_per_s ? b : a));
      expect(target.peak_runs[0]).to.deep.equal(best);
      expect(target.peak_runs[1].depth).to.equal(best.depth);
      expect(target.peak_runs[1].window.from).to.be.at.least(lastRampStep);
      const lower = [...target.peak_runs].sort((a: any, b: any) => a.delivered_per_s - b.delivered_per_s)[0];
      expect(target.peak.delivered_per_s, 'the lower middle of two runs').to.equal(lower.delivered_per_s);
    }
    expect(bareEmit.peak_runs[1].window.from, "in turns: the bare rerun follows ChatPop's").to.be.at.least(send.peak_runs[1].window.to);
    expect(send.load[0].window.from, 'the reruns come before the open-loop steps drawn from the peak').to.be.at.least(
      bareEmit.peak_runs[1].window.to,
    );
    expect(send.load[0].offered_per_s).to.equal(Math.round(0.5 * send.peak.sends_per_s));
    expect(results.figures.send_peak_delivered_per_s).to.equal(send.peak.delivered_per_s);
    expect(stdout).to.include('outstanding/socket, rerun');
  });

  it("runs bare socket.io at ChatPop's half-peak rate as often, after ChatPop's runs, and reports its p99 beside the goal's", () => {
    const chatpop = results.details.send.half_peak_runs;
    const bare = results.details.bareEmit.half_peak_runs;
    expect(bare).to.have.length(chatpop.length);
    for (const run of bare) {
      expect(run.offered_per_s).to.equal(chatpop[0].offered_per_s);
      expect(run.offered_per_s).to.equal(results.details.send.half_peak.offered_per_s);
      expect(run.failed).to.deep.equal({});
      expect(run.window.from).to.be.at.least(chatpop[chatpop.length - 1].window.to);
    }
    expect(results.figures.bare_emit_ack_p99_ms_at_half_peak).to.be.a('number').above(0);
    expect(results.figures.bare_emit_half_peak_offered_per_s).to.equal(results.figures.send_half_peak_offered_per_s);
    expect(stdout).to.include('bare socket.io at the same rate').and.include('bare open loop, half peak');
  });

  it('recovers every missed message on reconnect', () => {
    const r = results.details.recovery;
    expect(r.in_ack).to.equal(r.missed);
    expect(r.runs.every((run: { recovered_flag: boolean }) => run.recovered_flag)).to.equal(true);
  });

  it("names the Node that ran the server, and the image's when it has another", () => {
    const server = results.processes.find((p: { role: string }) => p.role === 'chatpop server');
    expect(server.what).to.contain(`on Node ${process.version}`);
    const imageMajor = imageNodeMajor(repo);
    if (imageMajor === Number(process.versions.node.split('.')[0])) expect(server.what).not.to.contain('where the image has');
    else expect(server.what).to.contain(`where the image has Node ${imageMajor}`);
  });

  it('names every process it measured and writes the table and the chart', () => {
    expect(results.processes.map((p: { role: string }) => p.role)).to.include.members([
      'chatpop server',
      'redis-server',
      'postgres (all backends)',
    ]);
    expect(results.processes.some((p: { role: string }) => p.role.startsWith('load: socket.io clients → chatpop'))).to.equal(true);
    expect(stdout).to.contain('GOALS').and.contain('PROCESS LAYOUT').and.contain('MACHINE (what the bench did not start');
    expect(results.details.machine.busiest_others).to.be.an('array');
    // The bench's own processes are reported in PROCESSES, never as other processes on the machine.
    const ours = new Set(results.processes.map((p: { pid: number }) => p.pid));
    for (const o of results.details.machine.busiest_others) expect(ours.has(o.pid), o.name).to.equal(false);
    expect(fs.readFileSync(path.join(dir, 'chart.svg'), 'utf8')).to.match(/^<svg[^>]*>/);
  });
});
