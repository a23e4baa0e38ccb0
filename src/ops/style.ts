/**
 * Decoration for text output: colour and emoji only when stdout is a terminal (so logs, pipes and
 * `kubectl exec` without -t stay plain). `NO_COLOR` turns it off and `FORCE_COLOR` on, as most CLIs do.
 */
export interface Style {
  readonly rich: boolean;
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  /** `rich` on a terminal, `plain` otherwise (for emoji markers). */
  pick(rich: string, plain: string): string;
}

export function createStyle(rich: boolean): Style {
  const wrap = (code: number) => (s: string) => (rich ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    rich,
    bold: wrap(1),
    dim: wrap(2),
    green: wrap(32),
    red: wrap(31),
    yellow: wrap(33),
    pick: (r, p) => (rich ? r : p),
  };
}

/** Whether this process's stdout should get colour and emoji. */
export function styleForStdout(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): Style {
  if (env.NO_COLOR) return createStyle(false);
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return createStyle(true);
  return createStyle(isTTY);
}
