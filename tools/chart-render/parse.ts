/**
 * Go text/template parsing for the subset Helm charts of this repository use: text and actions
 * with trim markers (`{{-`, `-}}`), comments, pipelines, variables, `if`/`else if`/`else`, `with`,
 * `range` (with `$k, $v :=`), `define` and `template`. Anything else (`block`, `break`, `else with`,
 * char constants, a field of a parenthesized pipeline…) is a TemplateError naming file:line.
 */

export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TemplateError';
  }
}

export type Operand =
  | { type: 'field'; chain: string[] } // .a.b relative to dot; [] is dot itself
  | { type: 'var'; name: string; chain: string[] } // $x.a.b; '$' is the template's data
  | { type: 'ident'; name: string } // a function
  | { type: 'string'; value: string }
  | { type: 'int'; value: bigint }
  | { type: 'float'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'nil' }
  | { type: 'pipe'; pipe: Pipeline };

export interface Command {
  args: Operand[];
}

export interface Pipeline {
  /** Declared (`:=`) or assigned (`=`) variables, without the `$`. */
  vars: string[];
  assign: boolean;
  cmds: Command[];
}

export type Node =
  | { type: 'text'; text: string; line: number }
  | { type: 'action'; pipe: Pipeline; line: number }
  | { type: 'if'; branches: { pipe: Pipeline; body: Node[]; line: number }[]; elseBody?: Node[]; line: number }
  | { type: 'with'; pipe: Pipeline; body: Node[]; elseBody?: Node[]; line: number }
  | { type: 'range'; pipe: Pipeline; body: Node[]; elseBody?: Node[]; line: number }
  | { type: 'template'; name: string; pipe?: Pipeline; line: number };

export interface ParsedTemplate {
  file: string;
  root: Node[];
  defines: Map<string, Node[]>;
}

// text/template's spaceChars: trim markers need one of them and trim only them.
const SPACE = /[ \t\r\n]/;
const TRAILING_SPACE = /[ \t\r\n]+$/;
const LEADING_SPACE = /^[ \t\r\n]+/;
const countLines = (s: string): number => s.split('\n').length - 1;

interface RawAction {
  text: string;
  line: number;
}
type Item = { kind: 'text'; text: string; line: number } | { kind: 'action'; action: RawAction };

/** Splits a template into text and action items, applying trim markers and dropping comments. */
function lex(file: string, src: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let line = 1;
  let trimNext = false;
  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    let text = open < 0 ? src.slice(pos) : src.slice(pos, open);
    const textLine = line;
    line += countLines(text);
    if (trimNext) text = text.replace(LEADING_SPACE, '');
    if (open < 0) {
      if (text) items.push({ kind: 'text', text, line: textLine });
      break;
    }
    const trimLeft = src[open + 2] === '-' && SPACE.test(src[open + 3] ?? '');
    if (trimLeft) text = text.replace(TRAILING_SPACE, '');
    if (text) items.push({ kind: 'text', text, line: textLine });
    let start = open + 2 + (trimLeft ? 2 : 0);
    const actionLine = line;
    if (src.startsWith('/*', start)) {
      const endComment = src.indexOf('*/', start + 2);
      if (endComment < 0) throw new TemplateError(file, actionLine, 'unclosed comment');
      let after = endComment + 2;
      trimNext = false;
      if (SPACE.test(src[after] ?? '') && src[after + 1] === '-' && src.startsWith('}}', after + 2)) {
        trimNext = true;
        after += 2;
      }
      if (!src.startsWith('}}', after)) throw new TemplateError(file, actionLine, 'comment ends before closing delimiter');
      line += countLines(src.slice(open, after + 2));
      pos = after + 2;
      continue;
    }
    // Find the closing delimiter outside string constants.
    let i = start;
    let quote: string | undefined;
    for (; i < src.length; i++) {
      const c = src[i];
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) quote = undefined;
        else if (c === '\n' && quote === '"') throw new TemplateError(file, actionLine, 'unterminated quoted string');
      } else if (c === '"' || c === '`' || c === "'") quote = c;
      else if (c === '}' && src[i + 1] === '}') break;
    }
    if (i >= src.length) throw new TemplateError(file, actionLine, 'unclosed action');
    let inner = src.slice(start, i);
    trimNext = inner.length >= 2 && inner.endsWith('-') && SPACE.test(inner[inner.length - 2]);
    if (trimNext) inner = inner.slice(0, -2);
    start = i + 2;
    line += countLines(src.slice(open, start));
    items.push({ kind: 'action', action: { text: inner, line: actionLine } });
    pos = start;
  }
  return items;
}

type Token =
  | { t: 'field'; chain: string[] }
  | { t: 'var'; name: string; chain: string[] }
  | { t: 'ident'; name: string }
  | { t: 'string'; value: string }
  | { t: 'number'; text: string }
  | { t: 'op'; op: '|' | '(' | ')' | ':=' | '=' | ',' };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;
const FIELD_CHAIN = /^(?:\.[A-Za-z_][A-Za-z0-9_]*)+/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/;

function tokenize(file: string, a: RawAction): Token[] {
  const tokens: Token[] = [];
  const s = a.text;
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateError(file, a.line, msg);
  };
  while (i < s.length) {
    const c = s[i];
    const rest = s.slice(i);
    let m: RegExpExecArray | null;
    if (SPACE.test(c)) i++;
    else if (c === '|' || c === '(' || c === ')' || c === ',') {
      if (c === ')' && FIELD_CHAIN.test(s.slice(i + 1))) fail('a field of a parenthesized pipeline is outside the supported subset');
      tokens.push({ t: 'op', op: c });
      i++;
    } else if (rest.startsWith(':=')) {
      tokens.push({ t: 'op', op: ':=' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ t: 'op', op: '=' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      const body = s.slice(i, j + 1);
      if (/\\[^nt"\\]/.test(body)) fail(`escape in ${body} is outside the supported subset (\\n \\t \\" \\\\)`);
      tokens.push({ t: 'string', value: JSON.parse(body) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      tokens.push({ t: 'string', value: s.slice(i + 1, j) });
      i = j + 1;
    } else if (c === "'") fail('character constants are outside the supported subset');
    else if (c === '$') {
      m = /^\$([A-Za-z_][A-Za-z0-9_]*)?((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(rest)!;
      tokens.push({ t: 'var', name: m[1] ?? '', chain: m[2] ? m[2].slice(1).split('.') : [] });
      i += m[0].length;
    } else if ((m = FIELD_CHAIN.exec(rest))) {
      tokens.push({ t: 'field', chain: m[0].slice(1).split('.') });
      i += m[0].length;
    } else if (c === '.') {
      tokens.push({ t: 'field', chain: [] });
      i++;
    } else if ((m = NUMBER.exec(rest)) && !/^[A-Za-z_.]/.test(s.slice(i + m[0].length))) {
      tokens.push({ t: 'number', text: m[0] });
      i += m[0].length;
    } else if ((m = IDENT.exec(rest))) {
      tokens.push({ t: 'ident', name: m[0] });
      i += m[0].length;
    } else fail(`unexpected "${c}" in action`);
  }
  return tokens;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

/** Parses tokens into a pipeline; `functions` are the names that may be called. */
function parsePipeline(file: string, line: number, tokens: Token[], functions: ReadonlySet<string>, allowTwoVars = false): Pipeline {
  const fail = (msg: string): never => {
    throw new TemplateError(file, line, msg);
  };
  let pos = 0;
  const vars: string[] = [];
  let assign = false;
  // Declarations: $x := …, $x = …, and (range only) $k, $v := …
  const declEnd = tokens.findIndex((t) => t.t === 'op' && (t.op === ':=' || t.op === '='));
  if (declEnd > 0 && tokens.slice(0, declEnd).every((t) => t.t === 'var' || (t.t === 'op' && t.op === ','))) {
    for (const t of tokens.slice(0, declEnd)) {
      if (t.t === 'var') {
        if (t.chain.length || !t.name) fail('cannot declare a field or $');
        vars.push(t.name);
      }
    }
    if (vars.length > (allowTwoVars ? 2 : 1)) fail('too many declarations');
    assign = (tokens[declEnd] as { op: string }).op === '=';
    pos = declEnd + 1;
  }
  const parseCmds = (stopAtParen: boolean): Command[] => {
    const cmds: Command[] = [];
    let args: Operand[] = [];
    const finish = () => {
      if (!args.length) fail('missing command in pipeline');
      cmds.push({ args });
      args = [];
    };
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if (t.t === 'op') {
        if (t.op === '|') finish();
        else if (t.op === '(') {
          const inner = parseCmds(true);
          args.push({ type: 'pipe', pipe: { vars: [], assign: false, cmds: inner } });
        } else if (t.op === ')') {
          if (!stopAtParen) fail('unexpected ")"');
          finish();
          return cmds;
        } else fail(`unexpected "${t.op}"`);
      } else if (t.t === 'field') args.push({ type: 'field', chain: t.chain });
      else if (t.t === 'var') args.push({ type: 'var', name: t.name, chain: t.chain });
      else if (t.t === 'string') args.push({ type: 'string', value: t.value });
      else if (t.t === 'number') {
        if (/^[+-]?\d+$/.test(t.text)) args.push({ type: 'int', value: BigInt(t.text) });
        else args.push({ type: 'float', value: Number(t.text) });
      } else {
        if (t.name === 'true' || t.name === 'false') args.push({ type: 'bool', value: t.name === 'true' });
        else if (t.name === 'nil') args.push({ type: 'nil' });
        else if (KEYWORDS.has(t.name)) fail(`unexpected keyword "${t.name}" in pipeline`);
        else if (!functions.has(t.name)) fail(`function "${t.name}" not defined (outside the supported subset)`);
        else args.push({ type: 'ident', name: t.name });
      }
    }
    if (stopAtParen) fail('unclosed "("');
    finish();
    return cmds;
  };
  const cmds = parseCmds(false);
  return { vars, assign, cmds };
}

interface Frame {
  kind: 'root' | 'define' | 'if' | 'with' | 'range';
  line: number;
  /** Where new nodes go: the current branch's body. */
  body: Node[];
  node?: Node;
  name?: string;
  inElse?: boolean;
}

/** Parses one template file into its top-level nodes and the `define`s it holds. */
export function parseTemplate(file: string, src: string, functions: ReadonlySet<string>): ParsedTemplate {
  const root: Node[] = [];
  const defines = new Map<string, Node[]>();
  const stack: Frame[] = [{ kind: 'root', line: 1, body: root }];
  const top = () => stack[stack.length - 1];
  for (const item of lex(file, src)) {
    if (item.kind === 'text') {
      top().body.push({ type: 'text', text: item.text, line: item.line });
      continue;
    }
    const { line } = item.action;
    const fail = (msg: string): never => {
      throw new TemplateError(file, line, msg);
    };
    const tokens = tokenize(file, item.action);
    if (!tokens.length) fail('missing value for command');
    const head = tokens[0];
    const keyword = head.t === 'ident' && KEYWORDS.has(head.name) ? head.name : undefined;
    const pipe = (from: number, twoVars = false) => parsePipeline(file, line, tokens.slice(from), functions, twoVars);
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      const body: Node[] = [];
      const node: Node =
        keyword === 'if'
          ? { type: 'if', branches: [{ pipe: pipe(1), body, line }], line }
          : keyword === 'with'
            ? { type: 'with', pipe: pipe(1), body, line }
            : { type: 'range', pipe: pipe(1, true), body, line };
      top().body.push(node);
      stack.push({ kind: keyword, line, body, node });
    } else if (keyword === 'else') {
      const f = top();
      if (f.kind !== 'if' && f.kind !== 'with' && f.kind !== 'range') fail('unexpected {{else}}');
      if (f.inElse) fail('{{else}} after {{else}}');
      const second = tokens[1];
      if (second?.t === 'ident' && second.name === 'if') {
        if (f.kind !== 'if') fail(`{{else if}} inside {{${f.kind}}}`);
        const body: Node[] = [];
        (f.node as Extract<Node, { type: 'if' }>).branches.push({ pipe: pipe(2), body, line });
        f.body = body;
      } else if (tokens.length > 1) fail('{{else with}} and other chained else forms are outside the supported subset');
      else {
        const body: Node[] = [];
        (f.node as { elseBody?: Node[] }).elseBody = body;
        f.body = body;
        f.inElse = true;
      }
    } else if (keyword === 'end') {
      if (tokens.length > 1) fail('unexpected tokens after {{end}}');
      const f = stack.pop()!;
      if (f.kind === 'root') fail('unexpected {{end}}');
      if (f.kind === 'define') defines.set(f.name!, f.body);
    } else if (keyword === 'define') {
      if (stack.length > 1) fail('{{define}} must be at the top level');
      const name = tokens[1];
      if (name?.t !== 'string' || tokens.length !== 2) fail('{{define}} takes one quoted name');
      stack.push({ kind: 'define', line, body: [], name: (name as { value: string }).value });
    } else if (keyword === 'template') {
      const name = tokens[1];
      if (name?.t !== 'string') fail('{{template}} takes a quoted name');
      top().body.push({ type: 'template', name: (name as { value: string }).value, pipe: tokens.length > 2 ? pipe(2) : undefined, line });
    } else if (keyword) fail(`{{${keyword}}} is outside the supported subset`);
    else top().body.push({ type: 'action', pipe: pipe(0), line });
  }
  if (stack.length > 1) throw new TemplateError(file, top().line, `unclosed {{${top().kind}}}`);
  return { file, root, defines };
}
