import { expect } from 'chai';
import { dashboardPage } from '../../src/monitoring';

describe('dashboard page', () => {
  const html = dashboardPage();

  it('is one self-contained page: no external scripts, styles or fonts', () => {
    expect(html).to.match(/^<!doctype html>/i);
    expect(html).not.to.match(/<script[^>]+src=/i);
    expect(html).not.to.match(/<link[^>]+href=/i);
    expect(html).not.to.match(/https?:\/\//);
  });

  it('talks to the monitoring API with a bearer token kept in session storage', () => {
    expect(html).to.include("'/admin/monitoring/api'");
    expect(html).to.include("'Bearer '");
    expect(html).to.include('sessionStorage');
    expect(html).not.to.include('localStorage');
  });

  it('gives the elements a browser test drives stable test ids', () => {
    for (const id of [
      'login-token',
      'login-submit',
      'chat-filter',
      'pause-button',
      'refresh-interval',
      'pod-table',
      'event-log',
      'event-row',
      'pod-row',
    ]) {
      expect(html, id).to.include(id);
    }
  });

  it('is read once', () => {
    expect(dashboardPage()).to.equal(html);
  });
});
