import { formatTime } from './format';
import type { MigrationRun, MigrationStatus } from './migrations';

export function renderMigrationStatus(s: MigrationStatus): string[] {
  const lines = [`database ${s.database}`];
  for (const m of s.executed) lines.push(`  applied  ${m.name}  ${formatTime(m.executed_at)}`);
  for (const name of s.pending) lines.push(`  pending  ${name}`);
  lines.push(`${s.executed.length} applied, ${s.pending.length} pending`);
  return lines;
}

export function renderMigrationRun(r: MigrationRun): string[] {
  const verb = r.direction === 'up' ? 'applied' : 'reverted';
  if (!r.migrations.length) return [`database ${r.database}: nothing to ${r.direction === 'up' ? 'apply; up to date' : 'revert'}`];
  return [
    `database ${r.database}: ${verb} ${r.migrations.join(', ')}`,
    `${r.status.executed.length} applied, ${r.status.pending.length} pending`,
  ];
}
