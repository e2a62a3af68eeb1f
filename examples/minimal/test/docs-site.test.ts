import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PUBLISHED_PACKAGES } from '../../../scripts/published-packages.mjs';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const site = join(root, 'docs', 'api');
const built = existsSync(join(site, 'index.html'));
const guides = readdirSync(join(root, 'docs', 'guides')).filter((file) => file.endsWith('.md'));

/** The targets of a markdown document's `[text](target)` links, code blocks and inline code left out. */
function markdownLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

describe('the docs', () => {
  it('link only to files that exist in the repository (the READMEs, the architecture and every guide)', () => {
    const documents = [
      'README.md',
      'docs/index.md',
      'docs/architecture.md',
      ...guides.map((file) => `docs/guides/${file}`),
      ...PUBLISHED_PACKAGES.map((name) => `packages/${name}/README.md`),
    ];
    const broken: string[] = [];
    for (const document of documents) {
      for (const target of markdownLinks(readFileSync(join(root, document), 'utf8'))) {
        if (/^[a-z]+:/.test(target) || target.startsWith('#')) continue;
        const path = target.split('#')[0]!;
        // A package README's guides/ folder is made when the package is packed (scripts/pack-guides.mjs).
        const packed = document.startsWith('packages/') && path.startsWith('guides/');
        if (!packed && !existsSync(join(root, dirname(document), path))) broken.push(`${document} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  describe.skipIf(!built)(`as one site built by pnpm run docs${built ? '' : ' (skipped: run `pnpm run docs` first)'}`, () => {
    it('has a page for the architecture and every guide, beside the API reference', () => {
      const pages = readdirSync(join(site, 'documents'));
      expect(pages).toContain('architecture.html');
      for (const guide of guides) expect(pages).toContain(`guides_${guide.replace(/\.md$/, '.html')}`);
      expect(existsSync(join(site, 'functions', '_panelkit_sdk.index.createPanelkit.html'))).toBe(true);
    });

    it('searches the guides as well as the API', () => {
      // typedoc's search data: deflated JSON, base64, in assets/search.js.
      const script = readFileSync(join(site, 'assets', 'search.js'), 'utf8');
      const blob = script.slice(script.indexOf('"') + 1, script.lastIndexOf('"'));
      const search = JSON.parse(inflateSync(Buffer.from(blob, 'base64')).toString('utf8')) as {
        rows: Array<{ name: string; url: string }>;
      };
      const urls = new Set(search.rows.map((row) => row.url));
      for (const guide of guides) expect(urls).toContain(`documents/guides_${guide.replace(/\.md$/, '.html')}`);
      expect([...urls].some((url) => url.includes('createPanelkit'))).toBe(true);
    });
  });
});
