/**
 * A quick in-process measure of the core paths for the closing notes (not the benchmark: see run.ts).
 * `npm run build && node dist/bench/core-quick.js` — sequential send latency, concurrent send
 * throughput, and first-page history latency on both stacks.
 */
import { chatWithHost, startStack, startTestApp, stopPostgres, cleanupAll, STACKS } from '../test/support';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (n: number) => n.toFixed(2);

async function main() {
  for (const name of STACKS) {
    const t = await startTestApp(await startStack(name), { SEND_RATE_LIMIT: '100000', LOG_LEVEL: 'silent' });
    const { code, host } = await chatWithHost(t.base);
    const sendLat: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await host.post(`/api/chats/${code}/messages`, { content: `latency probe ${i}` });
      sendLat.push(performance.now() - t0);
    }
    const N = 2000;
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < N) {
          next++;
          await host.post(`/api/chats/${code}/messages`, { content: 'throughput probe' });
        }
      }),
    );
    const sendRate = N / ((performance.now() - t0) / 1000);
    const histLat: number[] = [];
    for (let i = 0; i < 300; i++) {
      const h0 = performance.now();
      const res = await host.get(`/api/chats/${code}/messages?limit=50`);
      if (res.body.source !== 'cache') throw new Error(`expected a cache hit, got ${res.body.source}`);
      histLat.push(performance.now() - h0);
    }
    console.log(
      `${name.padEnd(16)} send p50 ${ms(pct(sendLat, 50))} ms p99 ${ms(pct(sendLat, 99))} ms | ` +
        `50 concurrent senders ${sendRate.toFixed(0)} msg/s | history (50, cache) p50 ${ms(pct(histLat, 50))} ms p99 ${ms(pct(histLat, 99))} ms`,
    );
    await t.close();
    await t.stack.dispose();
  }
  await stopPostgres();
  await cleanupAll();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
