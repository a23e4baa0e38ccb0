/**
 * The chart as the tests see it: rendered by tools/chart-render (the exact renderer of the Go
 * template subset the chart uses; `helm template` is not installed here), parsed into objects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadChart, readValuesYaml, renderChart, splitManifests, TemplateSet } from '../../../tools/chart-render';
import type { Release } from '../../../tools/chart-render';
import { K8sObject, repoPath } from './repo';

export const CHART_DIR = repoPath('charts/chatpop');

export const templateFiles = (): string[] =>
  readdirSync(path.join(CHART_DIR, 'templates')).filter((f) => f.endsWith('.yaml') || f.endsWith('.tpl') || f.endsWith('.txt'));

export const readTemplate = (file: string): string => readFileSync(path.join(CHART_DIR, 'templates', file), 'utf8');

type Values = Record<string, any>;

/**
 * values.yaml plus the DATABASE_URL of ci/lint-values.yaml: the smallest values the chart renders
 * with (it refuses to render without a DATABASE_URL or an existingSecret).
 */
export function chartDefaults(): Values {
  const values = readValuesYaml(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'), 'values.yaml') as Values;
  const lint = YAML.parse(readFileSync(path.join(CHART_DIR, 'ci', 'lint-values.yaml'), 'utf8')) as Values;
  values.secrets.databaseUrl = lint.secrets.databaseUrl;
  return values;
}

/** Every rendered file of the chart with exactly these values (not merged over values.yaml). */
export function renderChartFiles(values: Values = chartDefaults(), release?: Release): Map<string, string> {
  return renderChart({ ...loadChart(CHART_DIR), values: {} }, values, release);
}

const parseObjects = (file: string, text: string): K8sObject[] =>
  splitManifests(text).map((doc) => {
    const parsed = YAML.parseDocument(doc);
    if (parsed.errors.length) throw new Error(`${file}: ${parsed.errors.map((e) => e.message).join('; ')}\n${doc}`);
    return parsed.toJS() as K8sObject;
  });

/** The objects one template file renders to. */
export function renderTemplateObjects(file: string, values?: Values, release?: Release): K8sObject[] {
  return parseObjects(file, renderChartFiles(values, release).get(file) ?? '');
}

/** Every object of every YAML template (not NOTES.txt or helpers). */
export function renderChartObjects(values?: Values, release?: Release): K8sObject[] {
  return [...renderChartFiles(values, release)].filter(([f]) => f.endsWith('.yaml')).flatMap(([f, text]) => parseObjects(f, text));
}

/** Every `define "name"` of the chart's templates. */
export function chartDefines(): Set<string> {
  const set = new TemplateSet();
  const names = new Set<string>();
  for (const file of templateFiles()) for (const name of set.add(file, readTemplate(file)).defines.keys()) names.add(name);
  return names;
}

/** The action texts of a template, `{{- x -}}` → `x` (comments dropped). */
export const actionsOf = (text: string): string[] =>
  [...text.replace(/\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\}/g, '').matchAll(/\{\{-?\s*([\s\S]*?)\s*-?\}\}/g)].map((m) => m[1]);

/** `.Values.a.b` paths referenced anywhere in the templates (including `$.Values`). */
export function referencedValuePaths(): Set<string> {
  const paths = new Set<string>();
  for (const file of templateFiles()) {
    for (const m of readTemplate(file).matchAll(/\$?\.Values((?:\.[A-Za-z_]\w*)+)/g)) paths.add(m[1].slice(1));
  }
  return paths;
}
