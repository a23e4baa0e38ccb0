const SCRIPT_COMMANDS = /^(EVAL|EVALSHA|EVAL_RO|EVALSHA_RO|FCALL|FCALL_RO)$/i;

const show = (arg: unknown): string => (typeof arg === 'string' || typeof arg === 'number' ? String(arg) : '<binary>');

/**
 * `db.statement` of ioredis spans: the command, its keys and how many other arguments it had.
 * The instrumentation's default prints every argument of EVALSHA, which is where our Lua scripts
 * receive message JSON; traces must never carry chat content.
 */
export function redisStatement(command: string, args: unknown[]): string {
  if (!Array.isArray(args) || args.length === 0) return command;
  const shown: string[] = [];
  if (SCRIPT_COMMANDS.test(command)) {
    // EVAL script numkeys key… arg… (the script body is long and says nothing a sha would not)
    shown.push(/^EVAL(_RO)?$/i.test(command) ? '<script>' : show(args[0]));
    const numKeys = Number(args[1]);
    if (args.length > 1) shown.push(show(args[1]));
    if (Number.isInteger(numKeys) && numKeys > 0) for (const key of args.slice(2, 2 + numKeys)) shown.push(show(key));
  } else {
    shown.push(show(args[0]));
  }
  const others = args.length - shown.length;
  if (others > 0) shown.push(`[${others} other arguments]`);
  return `${command} ${shown.join(' ')}`;
}
