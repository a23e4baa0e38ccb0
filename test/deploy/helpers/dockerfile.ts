import { readRepoFile } from './repo';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}
export interface Stage {
  name?: string;
  from: string;
  instructions: Instruction[];
}

/** Splits the Dockerfile into stages of instructions (continuations joined, comments dropped). */
export function parseDockerfile(text = readRepoFile('Dockerfile')): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i];
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i])) continue;
      logical = logical.replace(/\\\s*$/, ' ') + lines[i].trim();
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(logical);
    if (!m) continue;
    const keyword = m[1].toUpperCase();
    const args = m[2].trim();
    if (keyword === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args.replace(/^--\S+\s+/, ''));
      stages.push({ from: f?.[1] ?? args, name: f?.[2], instructions: [] });
    } else if (stages.length) {
      stages[stages.length - 1].instructions.push({ keyword, args, line: start + 1 });
    }
  }
  return stages;
}

const execForm = (args: string): string[] => {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
};

/** What the final (runtime) stage declares: the contract between the image and the manifests. */
export interface RuntimeImage {
  from: string;
  env: Record<string, string>;
  workdir: string;
  user?: string;
  entrypoint: string[];
  cmd: string[];
  exposed: number[];
  /** command name on PATH → absolute target inside the image */
  pathLinks: Record<string, string>;
  /** RUN commands of the runtime stage, for checks on what they do */
  runs: string[];
  copies: string[];
}

export function runtimeImage(stages = parseDockerfile()): RuntimeImage {
  const last = stages[stages.length - 1];
  const img: RuntimeImage = {
    from: last.from,
    env: {},
    workdir: '/',
    entrypoint: [],
    cmd: [],
    exposed: [],
    pathLinks: {},
    runs: [],
    copies: [],
  };
  for (const { keyword, args } of last.instructions) {
    if (keyword === 'ENV') {
      for (const m of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) img.env[m[1]] = m[2].replace(/^"|"$/g, '');
    } else if (keyword === 'WORKDIR') img.workdir = args;
    else if (keyword === 'USER') img.user = args;
    else if (keyword === 'ENTRYPOINT') img.entrypoint = execForm(args);
    else if (keyword === 'CMD') img.cmd = execForm(args);
    else if (keyword === 'EXPOSE') img.exposed.push(...args.split(/\s+/).map((p) => Number(p.split('/')[0])));
    else if (keyword === 'COPY') img.copies.push(args);
    else if (keyword === 'RUN') {
      img.runs.push(args);
      for (const m of args.matchAll(/ln\s+-s\s+(\S+)\s+\/usr\/local\/bin\/([\w.-]+)/g)) img.pathLinks[m[2]] = m[1];
    }
  }
  return img;
}

/** The `npm ci …` command of a named stage (the production install lives in `prod-deps`). */
export function npmCiOf(stageName: string, stages = parseDockerfile()): string[] {
  const stage = stages.find((s) => s.name === stageName);
  if (!stage) throw new Error(`no stage ${stageName} in the Dockerfile`);
  for (const { keyword, args } of stage.instructions) {
    const m = keyword === 'RUN' ? /npm ci\b[^&;]*/.exec(args) : null;
    if (m) return m[0].trim().split(/\s+/);
  }
  throw new Error(`stage ${stageName} runs no npm ci`);
}
