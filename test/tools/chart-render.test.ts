import { expect } from 'chai';
import { goYaml, TemplateSet } from '../../tools/chart-render';

/** Renders one template source (plus helper sources) with `data` as dot. */
function render(src: string, data: unknown = {}, ...helpers: string[]): string {
  const set = new TemplateSet();
  helpers.forEach((h, i) => set.add(`_helpers${i}.tpl`, h));
  set.add('t.yaml', src);
  return set.execute('t.yaml', data);
}

describe('tools/chart-render: Go templates as Helm executes them', () => {
  it('trims whitespace at trim markers only, newlines included, and drops comments', () => {
    expect(render('a  \n {{- "b" -}} \n  c')).to.equal('abc');
    expect(render('a {{ "b" }} c')).to.equal('a b c');
    expect(render('a\n{{- /* gone */ -}}\nb{{/* also */}}c')).to.equal('abc');
    expect(render('{{-3}}')).to.equal('-3'); // "{{-3" is the number -3, not a trim marker
  });

  it('ranges over a map in sorted key order, as Go does, and over a list with its index', () => {
    const data = { m: { b: 2, a: 1, C: 3 }, l: ['x', 'y'] };
    expect(render('{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', data)).to.equal('C=3;a=1;b=2;');
    expect(render('{{ range $i, $v := .l }}{{ $i }}{{ . }}{{ end }}', data)).to.equal('0x1y');
    expect(render('{{ range .none }}x{{ else }}empty{{ end }}', data)).to.equal('empty');
  });

  it('includes a define and indents it with nindent', () => {
    const helpers = '{{- define "labels" -}}\na: {{ .a }}\nb: {{ .b | quote }}\n{{- end }}';
    expect(render('labels:\n  {{- include "labels" . | nindent 2 }}\nnext: 1', { a: 'x', b: 500 }, helpers)).to.equal(
      'labels:\n  a: x\n  b: "500"\nnext: 1',
    );
    expect(() => render('{{ include "nowhere" . }}')).to.throw(/t\.yaml:1: no template "nowhere"/);
  });

  it('evaluates if / else if / else, with, variables and assignment in their scopes', () => {
    const src =
      '{{ $x := "a" }}{{ if .no }}1{{ else if .yes }}{{ $x = "b" }}{{ $x }}{{ else }}3{{ end }}{{ with .m }}{{ .k }}{{ end }}{{ $x }}';
    expect(render(src, { yes: true, m: { k: 'K' } })).to.equal('bKb');
    expect(render('{{ with .none }}x{{ else }}{{ .v }}{{ end }}', { v: 'dot kept' })).to.equal('dot kept');
  });

  it('prints as Go: float64 values (Helm reads numbers as float64), missing values, quoting', () => {
    expect(render('{{ .a }} {{ .b }} {{ .c }} {{ .d | quote }}', { a: 1000000, b: 0.25, c: 100000, d: 3000 })).to.equal(
      '1e+06 0.25 100000 "3000"',
    );
    expect(render('[{{ .missing }}]', {})).to.equal('[<no value>]'); // Helm then removes "<no value>" from the file
    expect(() => render('{{ .missing.field }}', {})).to.throw(/t\.yaml:1: nil pointer evaluating interface \{\}\.field/);
  });

  it('short-circuits and/or, and runs the Sprig functions the chart uses', () => {
    expect(render('{{ if and .a .a.b }}yes{{ else }}no{{ end }}', {})).to.equal('no');
    expect(render('{{ or .none "fallback" }}', {})).to.equal('fallback');
    expect(render('{{ printf "%s-%s" "rel" "chatpop" | trunc 5 | trimSuffix "-" }}')).to.equal('rel-c');
    expect(render('{{ default "d" .none }} {{ default "d" "given" }} {{ "a+b" | replace "+" "_" }}', {})).to.equal('d given a_b');
    expect(render('{{ toJson .l }}', { l: ['a', '<b>'] })).to.equal('["a","\\u003cb\\u003e"]');
    expect(render('{{ "x" | sha256sum }}')).to.equal('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    expect(render('{{ gt (int .n) 1 }} {{ eq .s "/" }} {{ hasPrefix "/metrics" .s }}', { n: 2, s: '/' })).to.equal('true true false');
  });

  it('throws with file:line on fail, on a function outside the subset (even in a branch never taken) and on unsupported syntax', () => {
    expect(() => render('\n{{ fail "stop here" }}')).to.throw(/t\.yaml:2: error calling fail: stop here/);
    expect(() => render('a\n\n{{ if false }}{{ now }}{{ end }}')).to.throw(/t\.yaml:3: function "now" not defined/);
    expect(() => render('{{ block "b" . }}{{ end }}')).to.throw(/t\.yaml:1: \{\{block\}\} is outside the supported subset/);
    expect(() => render('{{ with .a }}{{ else with .b }}{{ end }}')).to.throw(/else with/);
    expect(() => render('{{ trunc "63" .s }}', { s: 'x' })).to.throw(/expected int; got string/);
    expect(() => render('{{ if .a }}')).to.throw(/unclosed \{\{if\}\}/);
  });
});

describe('tools/chart-render: toYaml writes what Helm writes (sigs.k8s.io/yaml, go-yaml v2)', () => {
  it('sorts keys, leaves sequences in maps unindented, quotes strings that would read as other types', () => {
    const v = {
      securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, allowPrivilegeEscalation: false },
      annotations: { 'proxy-read-timeout': '3600', 'body-size': '1m', flag: 'yes', star: '*x', empty: '' },
      volumes: [{ name: 'data', emptyDir: {} }],
      n: 0.25,
      list: [],
    };
    expect(goYaml(v)).to.equal(
      [
        'annotations:',
        '  body-size: 1m',
        '  empty: ""',
        '  flag: "yes"',
        '  proxy-read-timeout: "3600"',
        "  star: '*x'",
        'list: []',
        '"n": 0.25', // go-yaml v2 reads a plain n as false
        'securityContext:',
        '  allowPrivilegeEscalation: false',
        '  capabilities:',
        '    drop:',
        '    - ALL',
        '  readOnlyRootFilesystem: true',
        'volumes:',
        '- emptyDir: {}',
        '  name: data',
      ].join('\n'),
    );
  });

  it('orders numbered keys by number, and refuses what it does not reproduce (multi-line and folded strings)', () => {
    expect(goYaml({ a10: 1, a9: 2, b: 3 })).to.equal('a9: 2\na10: 1\nb: 3');
    expect(() => goYaml({ s: 'two\nlines' })).to.throw(/line break/);
    expect(() => goYaml({ s: 'word '.repeat(20).trim() })).to.throw(/folded/);
  });
});
