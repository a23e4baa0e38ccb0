/**
 * A Helm chart read from disk and rendered as `helm template` does: values.yaml coalesced with the
 * given values, every template but the `_` partials executed with .Values .Release .Chart .Files
 * .Template, and "<no value>" removed from the output. Neither `.Capabilities` nor subcharts exist here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { isMap } from './go-format';
import { NO_VALUE, struct, TemplateSet } from './execute';

type Values = Record<string, unknown>;

export interface Chart {
  dir: string;
  metadata: Values;
  values: Values;
  /** Template file names under templates/ (sorted). */
  templates: string[];
}

export interface Release {
  /** Default "release". */
  name?: string;
  /** Default "default"; the kustomize rendering passes "" (kustomize or `kubectl -n` supplies it). */
  namespace?: string;
  /** Default "Helm". */
  service?: string;
}

/** Reads YAML as Helm does (YAML 1.1 scalars; numbers become float64); timestamps are outside the subset. */
export function readValuesYaml(text: string, source: string): Values {
  const doc = YAML.parseDocument(text, { version: '1.1' });
  if (doc.errors.length) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
  const check = (v: unknown, at: string): void => {
    if (v instanceof Date) throw new Error(`${source}: ${at} is a timestamp (outside the supported subset)`);
    if (Array.isArray(v)) v.forEach((e, i) => check(e, `${at}[${i}]`));
    else if (isMap(v)) for (const [k, e] of Object.entries(v)) check(e, `${at}.${k}`);
  };
  const values = (doc.toJS() ?? {}) as Values;
  check(values, 'values');
  return values;
}

export function loadChart(dir: string): Chart {
  const metadata = YAML.parse(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as Values;
  const valuesFile = path.join(dir, 'values.yaml');
  const values = existsSync(valuesFile) ? readValuesYaml(readFileSync(valuesFile, 'utf8'), valuesFile) : {};
  if (existsSync(path.join(dir, 'charts')) || metadata.dependencies) throw new Error(`${dir}: subcharts are outside the supported subset`);
  const templates = readdirSync(path.join(dir, 'templates'))
    .filter((f) => statSync(path.join(dir, 'templates', f)).isFile())
    .sort();
  return { dir, metadata, values, templates };
}

/** Helm's coalescing: maps merge key by key, anything else replaces, null deletes. */
export function coalesce(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(out[k])) out[k] = coalesce(out[k] as Values, v);
    else out[k] = v;
  }
  return out;
}

/** Chart.yaml's fields under their Go names (appVersion → AppVersion, apiVersion → APIVersion). */
function chartObject(metadata: Values): Record<string, unknown> {
  const fields: Values = {};
  for (const [k, v] of Object.entries(metadata)) fields[k === 'apiVersion' ? 'APIVersion' : k[0].toUpperCase() + k.slice(1)] = v;
  return struct(fields);
}

/** Files of the chart outside templates/ (not Chart.yaml or values files), as `.Files.Get` reads them. */
function filesObject(chart: Chart): Record<string, unknown> {
  const hidden = new Set(['Chart.yaml', 'values.yaml', 'values.schema.json']);
  return struct({
    Get: (name: unknown) => {
      if (typeof name !== 'string') throw new Error('Files.Get takes a file name');
      const rel = path.normalize(name);
      if (rel.startsWith('..') || path.isAbsolute(rel) || hidden.has(rel) || rel.startsWith(`templates${path.sep}`)) return '';
      const file = path.join(chart.dir, rel);
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
  });
}

/**
 * Renders every template of the chart (NOTES.txt included, `_` partials not) with values.yaml
 * coalesced with `values`. Returns file name → rendered text; a `fail`, `required` or any
 * construct outside the supported subset throws a TemplateError naming file:line.
 */
export function renderChart(chart: Chart, values: Values = {}, release: Release = {}): Map<string, string> {
  const name = String(chart.metadata.name);
  const basePath = `${name}/templates`;
  const set = new TemplateSet();
  for (const file of chart.templates) {
    const src = readFileSync(path.join(chart.dir, 'templates', file), 'utf8');
    set.add(path.join(path.basename(chart.dir), 'templates', file), src, `${basePath}/${file}`);
  }
  const common = {
    Values: coalesce(chart.values, values),
    Release: struct({
      Name: release.name ?? 'release',
      Namespace: release.namespace ?? 'default',
      Service: release.service ?? 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1n,
    }),
    Chart: chartObject(chart.metadata),
    Files: filesObject(chart),
  };
  const out = new Map<string, string>();
  for (const file of chart.templates.filter((f) => !f.startsWith('_'))) {
    const data = struct({ ...common, Template: struct({ Name: `${basePath}/${file}`, BasePath: basePath }) });
    out.set(file, set.execute(`${basePath}/${file}`, data).split(NO_VALUE).join(''));
  }
  return out;
}

/** Helm's split of a rendered file into manifests: `---` separators, each trimmed, empty ones dropped. */
export function splitManifests(text: string): string[] {
  return text
    .trim()
    .split(/(?:^|\s*\n)---\s*/)
    .map((d) => d.trim())
    .filter((d) => d !== '');
}
