// The bench's goals. Every one is a ratio to a peer measured in the same run, so the machine's speed
// and its noise fall on both sides of it (an absolute latency goal measured this shared 2-core machine
// as much as ChatPop, and is retired: docs/benchmark.md, "Goals"). Goals live here and in the docs,
// never in tests.

export interface RatioGoal {
  /** the key in results.json `ratios` */
  ratio: string;
  /** the ratio must be at least (`>=`) or at most (`<=`) `goal` */
  op: '>=' | '<=';
  goal: number;
  /** what the ratio compares, for the report's first table */
  what: string;
}

export const RATIO_GOALS: readonly RatioGoal[] = [
  { ratio: 'send_vs_bare_emit', op: '>=', goal: 0.9, what: "delivered message:new/s at the peak ÷ bare socket.io's" },
  {
    ratio: 'send_p99_vs_bare_at_half_peak',
    op: '<=',
    goal: 2,
    what: "send→ack p99 at ChatPop's half peak ÷ bare socket.io's at the same rate",
  },
  { ratio: 'history_vs_bare_route', op: '>=', goal: 0.9, what: "first page (cache) req/s ÷ the bare Koa route's" },
  {
    ratio: 'history_deep_vs_bare_route',
    op: '>=',
    goal: 0.5,
    what: "deep page (below the window, PostgreSQL) req/s ÷ the bare Koa route's",
  },
  { ratio: 'monitoring_on_vs_off', op: '>=', goal: 0.97, what: 'operations/s with the monitor on ÷ off' },
  { ratio: 'idle_socket_memory_vs_bare', op: '<=', goal: 1.25, what: "RSS per idle joined socket ÷ bare socket.io's" },
];

export interface Goal {
  value: number | null;
  goal: string;
  /** null: not measured in this run */
  met: boolean | null;
  what: string;
}

/** Each goal with this run's value of its ratio. */
export function checkGoals(ratios: Record<string, number | null | undefined>): Record<string, Goal> {
  return Object.fromEntries(
    RATIO_GOALS.map((g) => {
      const value = ratios[g.ratio] ?? null;
      const met = value === null ? null : g.op === '>=' ? value >= g.goal : value <= g.goal;
      return [g.ratio, { value, goal: `${g.op} ${g.goal}`, met, what: g.what }];
    }),
  );
}
