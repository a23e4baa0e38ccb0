import { expect } from 'chai';
import { renderClusterView, type MonitorEvent } from '../../src/monitoring';
import { chatWithHost, queryDatabase } from '../support';
import { monitoringView, useMonitoredApp } from './helpers';

describe('errors by kind: a client refusal apart from a store failure (postgres+redis, in-process)', function () {
  this.timeout(40_000);
  const s = useMonitoredApp();

  it('counts a 409 as one client error and a refused statement as one store error, each event with its code', async () => {
    const { code, host } = await chatWithHost(s.t.base);
    const sent = await host.post(`/api/chats/${code}/messages`, { content: 'to be deleted twice' });
    expect(sent.status).to.equal(201);
    expect((await host.delete(`/api/chats/${code}/messages/${sent.body.id}`)).status).to.equal(200);
    expect((await host.delete(`/api/chats/${code}/messages/${sent.body.id}`)).status).to.equal(409);

    // The database refuses this one statement (the test's own database): a store failure, not the client's.
    await queryDatabase(
      s.stack.env.DATABASE_URL,
      `alter table messages add constraint refuse_test check (content <> 'refused by the store') not valid`,
    );
    const refused = await host.post(`/api/chats/${code}/messages`, { content: 'refused by the store' });
    expect(refused.status).to.be.at.least(500);

    const view = await monitoringView(s.t.base, `?chat=${code}`);
    expect(view.metrics.errors_by_kind, 'errors by kind').to.deep.equal({ client: 1, store: 1, server: 0 });
    expect(view.metrics.errors, 'errors owed to the server side').to.equal(1);
    const failed = view.events.filter((e: MonitorEvent) => e.result === 'error');
    const client = failed.find((e) => e.error?.kind === 'client');
    const store = failed.find((e) => e.error?.kind === 'store');
    expect(client?.error, 'the 409').to.include({ code: 'conflict', message: 'the message is deleted' });
    expect(client?.op).to.equal('db.write');
    expect(store?.error?.code, 'the SQLSTATE of a check violation').to.equal('23514');
    expect(store?.error?.message).to.include('refuse_test').and.not.include('refused by the store');

    const text = renderClusterView({ ...view, taken_at: view.pods[0].taken_at, source: 'redis', chat: code, note: null }).join('\n');
    expect(text).to.include('errors 1 (store 1, server 0)').and.include('client errors 1');
    expect(text).to.include('client error conflict').and.include('store error 23514');
  });
});
