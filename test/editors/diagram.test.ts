/**
 * The extension's diagram page: the server's SVG shown as an image (a data: URL, so nothing in
 * it can run) under a policy that allows no scripts, or the reason there is none, escaped.
 */
import { describe, expect, it, vi } from 'vitest';

interface Answer {
  svg: string | null;
  model: string | null;
  models: string[];
  error: string | null;
}

vi.mock('vscode', () => ({}));
// By a computed path: the extension's sources are type-checked with its own tsconfig (CommonJS).
const source = '../../editors/vscode/src/diagram.js';
const { diagramHtml } = (await import(/* @vite-ignore */ source)) as {
  diagramHtml: (answer: Answer | null) => string;
};

describe('the diagram webview page', () => {
  it('shows the SVG as a data: image under a no-script policy', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>m</title></svg>\n';
    const html = diagramHtml({ svg, model: 'm', models: ['m'], error: null });
    expect(html).toContain(
      `content="default-src 'none'; img-src data:; style-src 'unsafe-inline';"`,
    );
    const src = /src="data:image\/svg\+xml;base64,([^"]+)"/.exec(html)![1]!;
    expect(Buffer.from(src, 'base64').toString('utf8')).toBe(svg);
    expect(html).not.toMatch(/<script/i);
  });

  it('says why there is no picture, as text', () => {
    const error = "NN2001 line 2: Unknown layer '<script>alert(1)</script>'";
    const html = diagramHtml({ svg: null, model: 'm', models: ['m'], error });
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(diagramHtml(null)).toContain('has not opened this file yet');
  });
});
