import { Command, InvalidArgumentError, type CommanderError } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config';
import { stackFrames } from '../db-error';
import { printable, printableDoc } from './format';
import { EXIT, OpsError, causeText } from './ops-error';
import { styleForStdout, type Style } from './style';

/** What a job's body gets: its configuration, output helpers and the choice of text or JSON. */
export interface JobOutput {
  readonly style: Style;
  /** Prints text lines on stdout. */
  lines(lines: string[] | string): void;
  /** Prints one JSON document on stdout (pretty unless `compact`). */
  json(doc: unknown, compact?: boolean): void;
  /** Prints the text `render` makes of `doc`, its strings made printable (stored text may hold terminal escapes). */
  text<T>(doc: T, render: (doc: T) => string[] | string): void;
  /** `doc` as JSON (exact) when `asJson`, else as `text` prints it. */
  report<T>(asJson: boolean | undefined, doc: T, render: (doc: T) => string[] | string): void;
}

export function createOutput(stream: NodeJS.WriteStream = process.stdout): JobOutput {
  const out: JobOutput = {
    style: styleForStdout(process.env, Boolean(stream.isTTY)),
    lines: (lines) => void stream.write((Array.isArray(lines) ? lines : [lines]).join('\n') + '\n'),
    json: (doc, compact = false) => void stream.write(JSON.stringify(doc, null, compact ? 0 : 2) + '\n'),
    text: (doc, render) => out.lines(render(printableDoc(doc))),
    report: (asJson, doc, render) => (asJson ? out.json(doc) : out.text(doc, render)),
  };
  return out;
}

/**
 * A commander program that exits 2 on every usage error (commander's own exit code is 1, which
 * the jobs reserve for failures) and 0 after --help.
 */
export function createProgram(name: string, description: string): Command {
  return (
    new Command(name)
      .description(description)
      .showHelpAfterError(`(run \`${name} --help\` for usage)`)
      // --help and --version report 0; help shown because a command is missing reports 1, as errors do.
      .exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage))
  );
}

/** Parses a positive integer option (`--limit 10`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

/** Parses a positive number of hours (`--hours=24`, `--hours=0.5`). */
export function positiveHours(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number of hours above 0');
  return n;
}

/** A chat code as clients write it; upper-cased (same rule as chat/inputs.chatCode). */
export function chatCodeArg(value: string): string {
  const code = value.trim().toUpperCase();
  if (!/^[A-Z0-9]{8}$/.test(code)) throw new InvalidArgumentError('a chat code is 8 characters A–Z 0–9');
  return code;
}

/** A message or user id (a UUID): anything else could never match and may be a typo. */
export function uuidArg(value: string): string {
  const id = value.trim().toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new InvalidArgumentError('must be a UUID');
  return id;
}

/**
 * `clear-cache user`'s argument: a user id (a UUID, lower-cased as keys hold it) or `@username`
 * (an account name, [A-Za-z0-9_], lower-cased as stored). Anything else names no user (and glob or
 * brace characters could match other users' keys): a usage error.
 */
export function userIdArg(value: string): string {
  const id = value.trim();
  if (/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(id)) return id.toLowerCase();
  if (/^@[A-Za-z0-9_]{1,32}$/.test(id)) return id.toLowerCase();
  throw new InvalidArgumentError('must be a user id (UUID) or @username');
}

/** The server's configuration from the environment; a bad variable is one line and exit 1. */
export function jobConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env, 'job');
  } catch (err) {
    if (err instanceof ConfigError) throw OpsError.badConfig(err.message, err);
    throw err;
  }
}

/**
 * Runs a job's body and exits: with the code it returns (0 when none), or after printing one line
 * `job: cause` on stderr when it throws (1, or the OpsError's own code). `cleanup` always runs,
 * bounded so a hung connection cannot keep the job alive.
 */
export function runJob(name: string, body: () => Promise<number | void>, cleanup: () => Promise<void> = async () => undefined): void {
  void (async () => {
    let code: number = EXIT.ok;
    try {
      code = (await body()) ?? EXIT.ok;
    } catch (err) {
      code = err instanceof OpsError ? err.exitCode : EXIT.failure;
      process.stderr.write(`${name}: ${printable(causeText(err))}\n`);
      if (process.env.DEBUG_JOBS) process.stderr.write(`${stackFrames(err)}\n`);
    }
    await Promise.race([cleanup().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    // Exit once stdout has taken everything (it may be a pipe).
    process.stdout.write('', () => process.exit(code));
  })();
}
