import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';

// The repository stands alone: every relative link of every tracked Markdown file resolves to a
// file inside it, and every #anchor names a heading of its target, as GitHub renders them.

const repo = resolve(__dirname, '..', '..', '..');

/** Tracked Markdown files (git), or, outside a git checkout, every .md file but dependencies and build output. */
function markdownFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--', '*.md'], { cwd: repo, encoding: 'utf8' });
    return out.split('\0').filter((f) => f !== '' && existsSync(join(repo, f)));
  } catch {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (['node_modules', 'dist', '.git'].includes(name)) continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (extname(name) === '.md') found.push(relative(repo, path));
      }
    };
    walk(repo);
    return found;
  }
}

/**
 * The lines outside fenced code blocks (blank inside them). Links in code are examples, so for links
 * inline code spans go too; headings keep theirs, which GitHub's anchors spell out.
 */
function prose(markdown: string, keepInlineCode = false): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const m = /^\s*(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === null) fence = m[1][0];
      else if (m[1][0] === fence) fence = null;
      lines.push('');
      continue;
    }
    if (fence !== null) lines.push('');
    else lines.push(keepInlineCode ? line : line.replace(/(`+)[^`]*?\1/g, ''));
  }
  return lines;
}

export interface Link {
  line: number;
  target: string;
}

/** Inline links and images, `[text](target)` and `![alt](target "title")`. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  prose(markdown).forEach((text, i) => {
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line: i + 1, target: m[1] });
  });
  return links;
}

/** GitHub's heading anchor: lower case, punctuation and symbols dropped, spaces to hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading reads as its text
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats numbered as GitHub does) and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown, true)) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
}

/** What is wrong with one link of `file` (repository-relative), or null when it resolves inside the repository. */
export function problemOf(
  file: string,
  target: string,
  readMarkdown: (path: string) => string | null,
  exists: (path: string) => boolean,
): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null; // https:, mailto:: not a file of ours
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  const resolved = pathPart === '' ? file : pathPart.startsWith('/') ? pathPart.slice(1) : join(dirname(file), pathPart);
  const normal = normalize(resolved).replace(/\/$/, '') || '.';
  if (normal === '..' || normal.startsWith(`..${sep}`)) return 'leaves the repository';
  if (!exists(normal)) return `${normal} does not exist`;
  if (anchor === null || anchor === '' || extname(normal) !== '.md') return null;
  const markdown = readMarkdown(normal);
  if (markdown === null) return `${normal} cannot be read`;
  return anchorsOf(markdown).has(anchor) ? null : `${normal} has no heading #${anchor}`;
}

describe('links in the repository’s Markdown', function () {
  const files = markdownFiles();
  const tracked = new Set(files);
  const read = (path: string): string | null => {
    const full = join(repo, path);
    return existsSync(full) && statSync(full).isFile() ? readFileSync(full, 'utf8') : null;
  };
  const exists = (path: string): boolean => existsSync(join(repo, path));

  it('finds the Markdown files and the links it checks', function () {
    expect(files).to.include.members(['README.md', 'docs/contract.md', 'docs/design.md']);
    const readmeLinks = linksOf(read('README.md')!).map((l) => l.target);
    expect(readmeLinks).to.include('docs/contract.md');
  });

  it('every relative link and #anchor of a tracked Markdown file resolves inside the repository', function () {
    const broken: string[] = [];
    for (const file of files) {
      for (const { line, target } of linksOf(read(file) ?? '')) {
        const problem = problemOf(file, target, read, exists);
        if (problem) broken.push(`${file}:${line} (${target}): ${problem}`);
      }
    }
    expect(broken, broken.join('\n')).to.deep.equal([]);
  });

  it('a link into another Markdown file points at a tracked one, so a fresh clone has it', function () {
    const untracked: string[] = [];
    for (const file of files) {
      for (const { line, target } of linksOf(read(file) ?? '')) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
        const path = target.split('#')[0];
        if (extname(path) !== '.md') continue;
        const normal = normalize(join(dirname(file), decodeURIComponent(path)));
        if (!tracked.has(normal.split(sep).join('/'))) untracked.push(`${file}:${line} (${target})`);
      }
    }
    expect(untracked, untracked.join('\n')).to.deep.equal([]);
  });

  describe('the checker', function () {
    const docs: Record<string, string> = {
      'README.md': '# Chat Pop\n\n## Where is… `x`?\n',
      'docs/a.md': '# A page\n\n## Notes\n\n## Notes\n\n<a id="custom"></a>\n',
    };
    const readDoc = (p: string) => docs[p] ?? null;
    const existsDoc = (p: string) => p in docs || p === 'docs';

    it('accepts a file, a folder, a heading and a repeated heading', function () {
      expect(problemOf('README.md', 'docs/a.md', readDoc, existsDoc)).to.equal(null);
      expect(problemOf('README.md', 'docs', readDoc, existsDoc)).to.equal(null);
      expect(problemOf('README.md', 'docs/a.md#notes-1', readDoc, existsDoc)).to.equal(null);
      expect(problemOf('docs/a.md', '#custom', readDoc, existsDoc)).to.equal(null);
      expect(problemOf('docs/a.md', '../README.md#where-is-x', readDoc, existsDoc)).to.equal(null);
      expect(problemOf('README.md', 'https://example.org/x', readDoc, existsDoc)).to.equal(null);
    });

    it('refuses a missing file, a missing heading and a path out of the repository', function () {
      expect(problemOf('README.md', 'docs/b.md', readDoc, existsDoc)).to.match(/does not exist/);
      expect(problemOf('README.md', 'docs/a.md#nothing', readDoc, existsDoc)).to.match(/no heading #nothing/);
      expect(problemOf('README.md', '../shared/design/DESIGN.md', readDoc, existsDoc)).to.equal('leaves the repository');
      expect(problemOf('docs/a.md', '../../x.md', readDoc, existsDoc)).to.equal('leaves the repository');
    });

    it('reads links outside code only, and slugs headings as GitHub does', function () {
      const md = 'see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n![img](pic.png "title")\n';
      expect(linksOf(md).map((l) => l.target)).to.deep.equal(['a.md', 'pic.png']);
      expect(slug('socket.io (path `/socket.io`, auth `{ token }` = a user token)')).to.equal(
        'socketio-path-socketio-auth--token---a-user-token',
      );
      expect(slug('clear-cache — maintenance and deploy hooks')).to.equal('clear-cache--maintenance-and-deploy-hooks');
    });
  });
});
