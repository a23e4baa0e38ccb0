import { expect } from 'chai';
import { ApiClient, TEST_ADMIN_TOKEN, chatWithHost, startStack, startTestApp, uniqueName, type Stack, type TestApp } from '../support';
import { connect, joinOk, send } from '../support/sockets';
import { admin, monitoringView, parsePrometheus, sampleValue, until } from './helpers';

const ADMIN_ROUTES: { method: 'GET' | 'PUT' | 'POST'; path: string; body?: unknown }[] = [
  { method: 'GET', path: '/admin/monitoring' },
  { method: 'GET', path: '/admin/monitoring/api' },
  { method: 'GET', path: '/admin/settings' },
  { method: 'PUT', path: '/admin/settings', body: { enable_monitoring: true } },
  { method: 'POST', path: '/admin/chats/ABCD1234/repair' },
  { method: 'POST', path: '/admin/chats/ABCD1234/clear-cache' },
];

describe('monitoring routes (sqlite+memory)', function () {
  this.timeout(30_000);
  let stack: Stack;
  let t: TestApp;

  before(async () => {
    stack = await startStack('sqlite+memory');
    t = await startTestApp(stack);
  });

  after(async () => {
    await t?.close();
    await stack?.dispose();
  });

  describe('staff only', () => {
    for (const route of ADMIN_ROUTES) {
      it(`${route.method} ${route.path}: 401 without a token, 403 with a wrong one`, async () => {
        const none = await new ApiClient(t.base).request(route.method, route.path, route.body);
        expect(none.status).to.equal(401);
        expect(none.body).to.deep.equal({ error: { code: 'unauthorized', message: none.body.error.message } });
        const wrong = await new ApiClient(t.base, 'not-the-admin-token-at-all').request(route.method, route.path, route.body);
        expect(wrong.status).to.equal(403);
        expect(wrong.body.error.code).to.equal('forbidden');
      });
    }

    it('a refused PUT changes nothing', async () => {
      await new ApiClient(t.base, 'not-the-admin-token-at-all').request('PUT', '/admin/settings', { enable_monitoring: true });
      expect((await admin(t.base).get('/admin/settings')).body).to.deep.equal({ enable_monitoring: false });
      expect(t.app.monitoring.service.monitor.enabled).to.equal(false);
    });

    it('gives a browser without a token the login page (no data) with the 401, and JSON clients the error object', async () => {
      const res = await fetch(`${t.base}/admin/monitoring`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(res.status).to.equal(401);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      const html = await res.text();
      expect(html).to.include('data-testid="login-form"');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp)
        .to.include("default-src 'none'")
        .and.include("connect-src 'self'")
        .and.match(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
      expect(csp).not.to.match(/script-src[^;]*unsafe-inline/);
      expect(res.headers.get('cache-control')).to.equal('no-store');
    });

    it('serves the page to a bearer of the admin token', async () => {
      const res = await fetch(`${t.base}/admin/monitoring`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.match(/^<!doctype html>/i);
    });
  });

  describe('settings', () => {
    it('refuses anything but {enable_monitoring: boolean}', async () => {
      for (const body of [{}, { enable_monitoring: 'yes' }, { enable_monitoring: 1 }, { enable_monitoring: true, extra: 1 }, 'true']) {
        const res = await admin(t.base).request('PUT', '/admin/settings', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error.code).to.equal('invalid_input');
      }
    });

    it('refuses a bad view query', async () => {
      for (const q of ['?limit=0', '?limit=1001', '?limit=x', '?chat=%7B*%7D']) {
        const res = await admin(t.base).get(`/admin/monitoring/api${q}`);
        expect(res.status, q).to.equal(400);
        expect(res.body.error.code).to.equal('invalid_input');
      }
    });

    it('stores the switch in the database without Redis, and a second pod on it follows within 5 s', async () => {
      const other = await startTestApp(stack);
      try {
        expect(other.app.monitoring.service.store).to.equal('database');
        expect((await monitoringView(other.base)).enabled).to.equal(false);

        const put = await admin(t.base).request('PUT', '/admin/settings', { enable_monitoring: true });
        expect(put.status).to.equal(200);
        expect(put.body).to.deep.equal({ enable_monitoring: true });
        // The answering pod applies it at once; the other follows on its next poll.
        expect((await monitoringView(t.base)).enabled).to.equal(true);
        const started = Date.now();
        await until(
          'the second pod to switch monitoring on',
          async () => ((await monitoringView(other.base)).enabled ? true : undefined),
          5000,
        );
        expect(Date.now() - started).to.be.below(5000);
        expect((await admin(other.base).get('/admin/settings')).body).to.deep.equal({ enable_monitoring: true });

        await admin(other.base).request('PUT', '/admin/settings', { enable_monitoring: false });
        await until(
          'the first pod to switch monitoring off',
          async () => ((await monitoringView(t.base)).enabled ? undefined : true),
          5000,
        );
      } finally {
        await other.close();
      }
    });
  });

  describe('/metrics', () => {
    it('answers Prometheus text without a token, with the named metrics', async () => {
      const { code, host } = await chatWithHost(t.base);
      const before = parsePrometheus(await (await fetch(`${t.base}/metrics`)).text());
      const sentBefore = sampleValue(before.samples, 'chatpop_messages_sent_total', { channel: 'main' }) ?? 0;
      for (let i = 0; i < 3; i++) expect((await host.post(`/api/chats/${code}/messages`, { content: `metric ${i}` })).status).to.equal(201);
      expect((await host.get(`/api/chats/${code}/messages`)).status).to.equal(200);

      const res = await fetch(`${t.base}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      const { samples, types } = parsePrometheus(await res.text());

      expect(types.get('chatpop_http_request_duration_seconds')).to.equal('histogram');
      const sends = sampleValue(samples, 'chatpop_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/chats/:code/messages',
        status: '201',
      });
      expect(sends, 'send requests timed under their route pattern').to.be.at.least(3);
      expect(
        samples.some((s) => s.labels.route?.includes(code)),
        'chat codes never become label values',
      ).to.equal(false);
      expect(sampleValue(samples, 'chatpop_messages_sent_total', { channel: 'main' })! - sentBefore).to.equal(3);
      expect(types.get('chatpop_sockets_connected')).to.equal('gauge');
      expect(sampleValue(samples, 'chatpop_sockets_connected')).to.be.a('number');
      expect(sampleValue(samples, 'chatpop_cache_hit_ratio')).to.be.within(0, 1);
      expect(types.get('chatpop_cache_reads_total')).to.equal('counter');
      expect(sampleValue(samples, 'chatpop_repair_queue_depth')).to.be.at.least(0);
      expect(sampleValue(samples, 'chatpop_monitoring_enabled')).to.be.oneOf([0, 1]);
      expect(sampleValue(samples, 'nodejs_eventloop_lag_seconds')).to.be.at.least(0);
    });

    it('times socket events from their arrival to their ack, by event and result', async () => {
      const { code, host } = await chatWithHost(t.base);
      const count = async (event: string, result: string) =>
        sampleValue(
          parsePrometheus(await (await fetch(`${t.base}/metrics`)).text()).samples,
          'chatpop_socket_event_duration_seconds_count',
          { event, result },
        ) ?? 0;
      const [sendsBefore, failedBefore, joinsBefore] = [
        await count('message:send', 'ok'),
        await count('message:send', 'error'),
        await count('chat:join', 'ok'),
      ];
      const socket = await connect(t.base, host.token!);
      try {
        await joinOk(socket, { code });
        for (let i = 0; i < 2; i++) expect((await send(socket, code, `timed ${i}`)).ok).to.equal(true);
        expect((await send(socket, code, '')).ok, 'an empty message is refused').to.equal(false);
      } finally {
        socket.close();
      }
      const text = await (await fetch(`${t.base}/metrics`)).text();
      const { samples, types } = parsePrometheus(text);
      expect(types.get('chatpop_socket_event_duration_seconds')).to.equal('histogram');
      expect((await count('message:send', 'ok')) - sendsBefore).to.equal(2);
      expect((await count('message:send', 'error')) - failedBefore).to.equal(1);
      expect((await count('chat:join', 'ok')) - joinsBefore).to.equal(1);
      // The slowest bucket holds every send; the sum is a real duration (positive, under a minute).
      const sum = sampleValue(samples, 'chatpop_socket_event_duration_seconds_sum', { event: 'message:send', result: 'ok' })!;
      expect(sum).to.be.above(0).and.below(60);
      expect(
        sampleValue(samples, 'chatpop_socket_event_duration_seconds_bucket', { event: 'message:send', result: 'ok', le: '+Inf' }),
      ).to.equal(sampleValue(samples, 'chatpop_socket_event_duration_seconds_count', { event: 'message:send', result: 'ok' }));
      expect(text, 'chat codes never become label values').not.to.include(code);
    });

    it('labels requests no route matched as "unmatched"', async () => {
      await fetch(`${t.base}/no/such/${uniqueName('path')}`);
      const { samples } = parsePrometheus(await (await fetch(`${t.base}/metrics`)).text());
      expect(sampleValue(samples, 'chatpop_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).to.be.at.least(1);
      expect(samples.some((s) => s.labels.route?.startsWith('/no/such'))).to.equal(false);
    });
  });
});

describe('monitoring routes without ADMIN_TOKEN', function () {
  this.timeout(30_000);
  let stack: Stack;
  let t: TestApp;

  before(async () => {
    stack = await startStack('sqlite+memory');
    t = await startTestApp(stack, { ADMIN_TOKEN: '' });
  });

  after(async () => {
    await t?.close();
    await stack?.dispose();
  });

  for (const route of ADMIN_ROUTES) {
    it(`${route.method} ${route.path}: 503 admin_disabled, whatever the token`, async () => {
      for (const client of [new ApiClient(t.base), admin(t.base)]) {
        const res = await client.request(route.method, route.path, route.body);
        expect(res.status).to.equal(503);
        expect(res.body.error.code).to.equal('admin_disabled');
      }
    });
  }

  it('still serves /metrics', async () => {
    expect((await fetch(`${t.base}/metrics`)).status).to.equal(200);
  });
});
