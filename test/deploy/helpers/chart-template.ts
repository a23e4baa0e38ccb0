/**
 * A reader for the chart's templates where helm itself is not installed. It evaluates only the
 * small subset of Go templates this chart uses, line by line, with the default values:
 * `.Values` paths (with `quote`, `toJson`, `int`), `if`/`with` on a value path or its `not`,
 * `toYaml … | nindent N` and `include "name" . | nindent N` blocks. Anything else becomes the
 * placeholder `__tpl__` (inline) or is kept on both branches (conditions it cannot decide).
 * The result is an approximation for comparing against the plain manifests; `helm template` and
 * `helm lint` remain the authority wherever helm is installed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { K8sObject, repoPath } from './repo';

export const CHART_DIR = repoPath('charts/chatpop');
export const PLACEHOLDER = '__tpl__';

export interface ChartContext {
  Values: Record<string, unknown>;
  Chart: Record<string, unknown>;
  Release: Record<string, unknown>;
}

export function loadChartContext(values?: Record<string, unknown>): ChartContext {
  const chart = YAML.parse(readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  return {
    Values: values ?? (YAML.parse(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>),
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
    Release: { Name: 'release', Namespace: 'default', Service: 'Helm' },
  };
}

export const templateFiles = (): string[] =>
  readdirSync(path.join(CHART_DIR, 'templates')).filter((f) => f.endsWith('.yaml') || f.endsWith('.tpl') || f.endsWith('.txt'));

export const readTemplate = (file: string): string => readFileSync(path.join(CHART_DIR, 'templates', file), 'utf8');

const stripComments = (text: string): string => text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '');

/** The action texts of a template, `{{- x -}}` → `x`. */
export const actionsOf = (text: string): string[] => [...stripComments(text).matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => m[1]);

/** Every `define "name"` of the chart's templates with its body. */
export function chartDefines(): Map<string, string> {
  const defines = new Map<string, string>();
  for (const file of templateFiles()) {
    const lines = stripComments(readTemplate(file)).split('\n');
    let name: string | undefined;
    let depth = 0;
    let body: string[] = [];
    for (const line of lines) {
      if (name === undefined) {
        const m = /^\s*\{\{-?\s*define\s+"([^"]+)"\s*-?\}\}\s*$/.exec(line);
        if (m) {
          name = m[1];
          depth = 0;
          body = [];
        }
        continue;
      }
      for (const a of actionsOf(line)) {
        if (/^(if|with|range|define|block)\b/.test(a)) depth++;
        else if (a === 'end') depth--;
      }
      if (depth < 0) {
        defines.set(name, body.join('\n'));
        name = undefined;
      } else body.push(line);
    }
  }
  return defines;
}

type Decision = boolean | undefined;
type Vars = Record<string, unknown>;

function lookup(expr: string, dot: unknown, ctx: ChartContext, vars: Vars = {}): { found: boolean; value?: unknown } {
  const e = expr.trim();
  const walk = (p: string, base: unknown) => {
    let cur = base;
    for (const k of p.split('.').filter(Boolean)) {
      if (cur === null || typeof cur !== 'object' || !(k in (cur as object))) return { found: false };
      cur = (cur as Record<string, unknown>)[k];
    }
    return { found: true, value: cur };
  };
  if (e === '.') return dot === undefined ? { found: false } : { found: true, value: dot };
  const abs = /^\$?\.(Values|Chart|Release)((?:\.\w+)*)$/.exec(e);
  if (abs) return walk(abs[2], ctx[abs[1] as keyof ChartContext]);
  const variable = /^\$(\w+)((?:\.\w+)*)$/.exec(e);
  if (variable) return variable[1] in vars ? walk(variable[2], vars[variable[1]]) : { found: false };
  const rel = /^((?:\.\w+)+)$/.exec(e);
  if (rel && dot !== undefined) return walk(rel[1], dot);
  return { found: false };
}

const truthy = (v: unknown): boolean =>
  !(
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === '' ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)
  );

function decide(cond: string, dot: unknown, ctx: ChartContext, vars: Vars): Decision {
  const not = /^not\s+(.+)$/.exec(cond.trim());
  const r = lookup(not ? not[1] : cond, dot, ctx, vars);
  if (!r.found) return undefined;
  return not ? !truthy(r.value) : truthy(r.value);
}

function inline(expr: string, dot: unknown, ctx: ChartContext, vars: Vars): string {
  const [head, ...pipes] = expr.split('|').map((s) => s.trim());
  const fn = /^(toJson|quote)\s+(.+)$/.exec(head);
  const r = lookup(fn ? fn[2] : head, dot, ctx, vars);
  if (!r.found) return PLACEHOLDER;
  const filters = [...(fn ? [fn[1]] : []), ...pipes];
  let out: unknown = r.value;
  for (const f of filters) {
    if (f === 'quote') out = JSON.stringify(out === undefined || out === null ? '' : String(out));
    else if (f === 'toJson') out = JSON.stringify(out);
    else if (f === 'int') out = Math.trunc(Number(out));
    else return PLACEHOLDER;
  }
  return typeof out === 'string' ? out : typeof out === 'object' ? JSON.stringify(out) : String(out);
}

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => ' '.repeat(n) + l)
    .join('\n');

const opens = (a: string) => /^(if|with|range|define|block)\b/.test(a);

/** Renders one template body with the subset described above; returns YAML text. */
export function renderSubset(
  text: string,
  ctx: ChartContext,
  defines = chartDefines(),
  dotStart: unknown = undefined,
  varsIn: Vars = {},
): string {
  interface Frame {
    keep: Decision;
    branch: boolean;
    dot: unknown;
    kind: string;
  }
  const vars: Vars = { ...varsIn };
  const stack: Frame[] = [];
  const out: string[] = [];
  const active = () => stack.every((f) => (f.keep === undefined ? true : f.branch === f.keep));
  const dot = () => (stack.length ? stack[stack.length - 1].dot : dotStart);
  const lines = stripComments(text).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const actions = actionsOf(line);
    const standalone = actions.length > 0 && line.replace(/\{\{[\s\S]*?\}\}/g, '').trim() === '';
    if (!standalone) {
      if (active()) out.push(line.replace(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g, (_, e: string) => inline(e, dot(), ctx, vars)));
      continue;
    }
    const range = actions.length === 1 ? /^range\s+(?:\$(\w+)(?:,\s*\$(\w+))?\s*:=\s*)?(.+)$/.exec(actions[0]) : null;
    if (range) {
      // Collect the body up to the matching end, then render it once per element.
      const body: string[] = [];
      let depth = 1;
      for (i++; i < lines.length; i++) {
        for (const a of actionsOf(lines[i])) depth += opens(a) ? 1 : a === 'end' ? -1 : 0;
        if (depth === 0) break;
        body.push(lines[i]);
      }
      if (!active()) continue;
      const r = lookup(range[3], dot(), ctx, vars);
      const entries: [unknown, unknown][] = !r.found
        ? [[undefined, undefined]]
        : Array.isArray(r.value)
          ? r.value.map((v, k) => [k, v])
          : r.value && typeof r.value === 'object'
            ? Object.entries(r.value)
            : [];
      for (const [key, value] of entries) {
        const scoped: Vars = { ...vars };
        if (range[1] && range[2]) {
          scoped[range[1]] = key;
          scoped[range[2]] = value;
        } else if (range[1]) scoped[range[1]] = value;
        out.push(renderSubset(body.join('\n'), ctx, defines, value, scoped));
      }
      continue;
    }
    for (const a of actions) {
      let m: RegExpExecArray | null;
      if ((m = /^if\s+(.+)$/.exec(a))) stack.push({ keep: decide(m[1], dot(), ctx, vars), branch: true, dot: dot(), kind: 'if' });
      else if ((m = /^with\s+(.+)$/.exec(a))) {
        const r = lookup(m[1], dot(), ctx, vars);
        stack.push({ keep: r.found ? truthy(r.value) : undefined, branch: true, dot: r.found ? r.value : undefined, kind: 'with' });
      } else if (/^range\b/.test(a)) stack.push({ keep: undefined, branch: true, dot: undefined, kind: 'range' });
      else if (a === 'else' || /^else\s+if\b/.test(a)) {
        const f = stack[stack.length - 1];
        f.branch = !f.branch;
        if (f.kind === 'with') f.dot = stack.length > 1 ? stack[stack.length - 2].dot : dotStart;
      } else if (a === 'end') stack.pop();
      else if (!active()) continue;
      else if ((m = /^\$(\w+)\s*:?=\s*(.+)$/.exec(a))) {
        const r = lookup(m[2], dot(), ctx, vars);
        vars[m[1]] = r.found ? r.value : PLACEHOLDER;
      } else if ((m = /^toYaml\s+(\S+)\s*\|\s*nindent\s+(\d+)$/.exec(a))) {
        const r = lookup(m[1], dot(), ctx, vars);
        if (r.found && r.value !== undefined) out.push(indent(YAML.stringify(r.value).trimEnd(), Number(m[2])));
      } else if ((m = /^include\s+"([^"]+)"\s+\S+\s*(?:\|\s*nindent\s+(\d+))?$/.exec(a))) {
        const body = defines.get(m[1]);
        if (body === undefined) throw new Error(`include of undefined template "${m[1]}"`);
        out.push(indent(renderSubset(body, ctx, defines, dot(), vars), Number(m[2] ?? 0)));
      }
      // Anything else on its own line (fail, lookups, functions) renders nothing here.
    }
  }
  return out.join('\n');
}

/** The objects of one template file rendered with the subset and the given (default) values. */
export function renderTemplateObjects(file: string, values?: Record<string, unknown>): K8sObject[] {
  const ctx = loadChartContext(values);
  const text = renderSubset(readTemplate(file), ctx);
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: false });
  for (const d of docs) if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}\n${text}`);
  return docs.map((d) => d.toJS() as K8sObject).filter((o) => o !== null && o !== undefined);
}

/** Every object of every template (not NOTES.txt or helpers) with default values. */
export function renderChartObjects(values?: Record<string, unknown>): K8sObject[] {
  return templateFiles()
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => renderTemplateObjects(f, values));
}

/** `.Values.a.b` paths referenced anywhere in the templates (including `$.Values`). */
export function referencedValuePaths(): Set<string> {
  const paths = new Set<string>();
  for (const file of templateFiles()) {
    for (const m of readTemplate(file).matchAll(/\$?\.Values((?:\.[A-Za-z_]\w*)+)/g)) paths.add(m[1].slice(1));
  }
  return paths;
}
