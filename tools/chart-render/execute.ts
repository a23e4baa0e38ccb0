/**
 * Executes parsed templates with Go text/template's semantics as Helm configures them
 * (missingkey=zero: a missing map key is "no value", a field of nothing is an error).
 */
import { FormatError, formatValue, isMap } from './go-format';
import { FUNCTIONS, goType, isTrue } from './functions';
import { Command, Node, Operand, ParsedTemplate, parseTemplate, Pipeline, TemplateError } from './parse';

/** Names the parser accepts as functions: the table plus those the executor implements. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set([...Object.keys(FUNCTIONS), 'and', 'or', 'include']);

/** Helm prints a missing value as this, then removes it from each rendered file. */
export const NO_VALUE = '<no value>';
const NONE = Symbol('no piped value');
const MAX_INCLUDE_DEPTH = 100;

/** A Go struct (`.Chart`, `.Release`, `.Files`…): unknown fields are errors, not "no value". */
export function struct(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, fields);
}
const isStruct = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === null;

interface Variable {
  name: string;
  value: unknown;
}
interface State {
  file: string;
  line: number;
  dot: unknown;
  vars: Variable[];
  out: string[];
  depth: number;
}

export class TemplateSet {
  private readonly named = new Map<string, { file: string; nodes: Node[] }>();

  /** Parses a file; its defines and the file itself (under `name`) become callable by include. */
  add(file: string, src: string, name = file): ParsedTemplate {
    const parsed = parseTemplate(file, src, FUNCTION_NAMES);
    for (const [n, nodes] of parsed.defines) this.named.set(n, { file, nodes });
    this.named.set(name, { file, nodes: parsed.root });
    return parsed;
  }

  /** Runs a named template (a define or a file) with `data` as dot and `$`. */
  execute(name: string, data: unknown, depth = 0, from?: { file: string; line: number }): string {
    const t = this.named.get(name);
    if (!t) {
      const msg = `no template "${name}" associated with template`;
      throw from ? new TemplateError(from.file, from.line, msg) : new Error(msg);
    }
    if (depth > MAX_INCLUDE_DEPTH) throw new TemplateError(t.file, 1, `include of "${name}" nested deeper than ${MAX_INCLUDE_DEPTH}`);
    const state: State = { file: t.file, line: 1, dot: data, vars: [{ name: '', value: data }], out: [], depth };
    this.run(t.nodes, state);
    return state.out.join('');
  }

  private fail(st: State, message: string): never {
    throw new TemplateError(st.file, st.line, message);
  }

  private run(nodes: Node[], st: State): void {
    for (const node of nodes) {
      st.line = node.line;
      if (node.type === 'text') st.out.push(node.text);
      else if (node.type === 'action') {
        const v = this.pipeline(node.pipe, st, true);
        if (!node.pipe.vars.length) st.out.push(this.print(v, st));
      } else if (node.type === 'if') {
        const mark = st.vars.length;
        const taken = node.branches.find((b) => ((st.line = b.line), isTrue(this.pipeline(b.pipe, st, true))));
        this.scoped(taken ? taken.body : node.elseBody, st, st.dot);
        st.vars.length = mark;
      } else if (node.type === 'with') {
        const mark = st.vars.length;
        const v = this.pipeline(node.pipe, st, true);
        if (isTrue(v)) this.scoped(node.body, st, v);
        else this.scoped(node.elseBody, st, st.dot);
        st.vars.length = mark;
      } else if (node.type === 'range') this.range(node, st);
      else {
        const data = node.pipe ? this.pipeline(node.pipe, st, true) : undefined;
        st.out.push(this.execute(node.name, data, st.depth + 1, { file: st.file, line: node.line }));
      }
    }
  }

  private scoped(body: Node[] | undefined, st: State, dot: unknown): void {
    if (!body) return;
    const mark = st.vars.length;
    const saved = st.dot;
    st.dot = dot;
    this.run(body, st);
    st.dot = saved;
    st.vars.length = mark;
  }

  private range(node: Extract<Node, { type: 'range' }>, st: State): void {
    const v = this.pipeline({ ...node.pipe, vars: [] }, st, false);
    let entries: [unknown, unknown][];
    if (v === undefined || v === null) entries = [];
    else if (Array.isArray(v)) entries = v.map((e, i) => [BigInt(i), e]);
    else if (isMap(v))
      entries = Object.keys(v)
        .sort()
        .map((k) => [k, v[k]]);
    else return this.fail(st, `range can't iterate over ${this.print(v, st)} (a ${goType(v)}: outside the supported subset)`);
    if (!entries.length) return this.scoped(node.elseBody, st, st.dot);
    const names = node.pipe.vars;
    for (const [key, value] of entries) {
      const mark = st.vars.length;
      if (names.length === 2) st.vars.push({ name: names[0], value: key }, { name: names[1], value });
      else if (names.length === 1) st.vars.push({ name: names[0], value });
      this.scoped(node.body, st, value);
      st.vars.length = mark;
    }
  }

  private pipeline(pipe: Pipeline, st: State, declare: boolean): unknown {
    let value: unknown = NONE;
    for (const cmd of pipe.cmds) value = this.command(cmd, st, value);
    if (declare && pipe.vars.length) {
      const name = pipe.vars[0];
      if (pipe.assign) {
        const v = [...st.vars].reverse().find((x) => x.name === name);
        if (!v) this.fail(st, `undefined variable: $${name}`);
        v.value = value;
      } else st.vars.push({ name, value });
    }
    return value;
  }

  private command(cmd: Command, st: State, piped: unknown): unknown {
    const [first, ...rest] = cmd.args;
    if (first.type === 'ident') {
      const name = first.name;
      if (name === 'and' || name === 'or') {
        const operands: (() => unknown)[] = rest.map((a) => () => this.operand(a, st));
        if (piped !== NONE) operands.push(() => piped);
        if (!operands.length) this.fail(st, `wrong number of args for ${name}: want at least 1 got 0`);
        let v: unknown;
        for (const get of operands) {
          v = get();
          if (name === 'and' ? !isTrue(v) : isTrue(v)) return v;
        }
        return v;
      }
      const args = rest.map((a) => this.operand(a, st));
      if (piped !== NONE) args.push(piped);
      return this.call(name, args, st);
    }
    if (rest.length || piped !== NONE) {
      // `.Files.Get "x"`: the last field is a method.
      if ((first.type === 'field' || first.type === 'var') && first.chain.length) {
        const receiver = this.walk(first.type === 'field' ? st.dot : this.variable(first.name, st), first.chain.slice(0, -1), st);
        const method = isStruct(receiver) ? receiver[first.chain[first.chain.length - 1]] : undefined;
        if (typeof method === 'function') {
          const args = rest.map((a) => this.operand(a, st));
          if (piped !== NONE) args.push(piped);
          return this.guard(st, `calling ${first.chain.join('.')}`, () => (method as (...a: unknown[]) => unknown)(...args));
        }
      }
      this.fail(st, `can't give argument to non-function ${describe(first)}`);
    }
    return this.operand(first, st);
  }

  private call(name: string, args: unknown[], st: State): unknown {
    if (name === 'include') {
      if (args.length !== 2 || typeof args[0] !== 'string') this.fail(st, 'include takes a template name and its data');
      return this.execute(args[0] as string, args[1], st.depth + 1, { file: st.file, line: st.line });
    }
    const fn = FUNCTIONS[name];
    return this.guard(st, `error calling ${name}`, () => fn(...args));
  }

  private guard(st: State, what: string, f: () => unknown): unknown {
    try {
      return f();
    } catch (err) {
      if (err instanceof TemplateError) throw err;
      this.fail(st, `${what}: ${(err as Error).message}`);
    }
  }

  private operand(op: Operand, st: State): unknown {
    switch (op.type) {
      case 'field':
        return this.walk(st.dot, op.chain, st);
      case 'var':
        return this.walk(this.variable(op.name, st), op.chain, st);
      case 'string':
      case 'int':
      case 'float':
      case 'bool':
        return op.value;
      case 'nil':
        return null;
      case 'pipe':
        return this.pipeline(op.pipe, st, false);
      case 'ident':
        return this.call(op.name, [], st);
    }
  }

  private variable(name: string, st: State): unknown {
    for (let i = st.vars.length - 1; i >= 0; i--) if (st.vars[i].name === name) return st.vars[i].value;
    return this.fail(st, `undefined variable: $${name}`);
  }

  private walk(start: unknown, chain: string[], st: State): unknown {
    let cur = start;
    for (const key of chain) {
      if (isMap(cur)) cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
      else if (isStruct(cur)) {
        if (!(key in cur)) this.fail(st, `can't evaluate field ${key} (outside the supported subset of Helm's objects)`);
        cur = cur[key];
      } else if (cur === undefined || cur === null) this.fail(st, `nil pointer evaluating interface {}.${key}`);
      else this.fail(st, `can't evaluate field ${key} in type ${goType(cur)}`);
    }
    return cur;
  }

  private print(v: unknown, st: State): string {
    if (v === undefined || v === null) return NO_VALUE;
    if (typeof v === 'function' || isStruct(v)) this.fail(st, `cannot print a ${typeof v === 'function' ? 'method' : 'struct'}`);
    try {
      return formatValue(v);
    } catch (err) {
      if (err instanceof FormatError) this.fail(st, err.message);
      throw err;
    }
  }
}

function describe(op: Operand): string {
  if (op.type === 'field') return `.${op.chain.join('.')}`;
  if (op.type === 'var') return `$${op.name}${op.chain.map((c) => `.${c}`).join('')}`;
  return op.type;
}
