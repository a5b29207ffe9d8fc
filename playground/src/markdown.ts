/**
 * The service's Markdown (hover, completion docs) as DOM: paragraphs, fenced code, inline code
 * and bold; everything else as text. Built from text nodes only, never innerHTML, so nothing in
 * a document can inject markup into the page.
 */
export function markdownElement(markdown: string, className: string): HTMLElement {
  const root = document.createElement('div');
  root.className = className;
  // Splitting at the fences alternates text and code.
  let inCode = false;
  for (const part of markdown.split(/```[a-z]*\n?/)) {
    if (inCode) {
      const pre = document.createElement('pre');
      pre.textContent = part.replace(/\n$/, '');
      root.append(pre);
    } else {
      for (const para of part.split(/\n{2,}/)) {
        if (para.trim() === '') continue;
        const p = document.createElement('p');
        appendInline(p, para.trim());
        root.append(p);
      }
    }
    inCode = !inCode;
  }
  return root;
}

/** `code`, **bold**, *italic* and [text](url) as text (links are not followed: no request leaves the page). */
function appendInline(parent: HTMLElement, text: string): void {
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\([^)]*\)|\*([^*]+)\*/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    parent.append(text.slice(at, m.index));
    if (m[1] !== undefined) {
      const code = document.createElement('code');
      code.textContent = m[1];
      parent.append(code);
    } else if (m[2] !== undefined) {
      const b = document.createElement('b');
      b.textContent = m[2];
      parent.append(b);
    } else if (m[3] !== undefined) parent.append(m[3]);
    else {
      const i = document.createElement('i');
      i.textContent = m[4]!;
      parent.append(i);
    }
    at = m.index! + m[0].length;
  }
  parent.append(text.slice(at));
}
