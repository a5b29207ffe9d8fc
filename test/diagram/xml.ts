/**
 * A strict, tiny XML reader for tests: checks that a document is well-formed (one root, tags
 * matched, attributes quoted and unique, `<` and `&` only as markup or known entities) and
 * returns its element tree to query. Throws on the first fault, saying where.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Its text (entities decoded) and child elements, in document order. */
  content: (XmlElement | string)[];
}

const NAME = /^[A-Za-z_:][\w.:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`raw '<' at ${at}`);
  return raw.replace(/&([^;]*);|&/g, (m, name: string | undefined) => {
    if (name === undefined) throw new Error(`bare '&' at ${at}`);
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    if (/^#x[0-9a-f]+$/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    const e = ENTITIES[name];
    if (e === undefined) throw new Error(`unknown entity ${m} at ${at}`);
    return e;
  });
}

/** The root element of `text`, or a throw naming the first fault. */
export function parseXml(text: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const top = () => stack.at(-1);
  while (i < text.length) {
    if (text.startsWith('<?', i)) i = text.indexOf('?>', i) + 2;
    else if (text.startsWith('<!--', i)) i = text.indexOf('-->', i) + 3;
    else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i);
      const name = text.slice(i + 2, end).trim();
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}> at ${i}`);
      i = end + 1;
    } else if (text[i] === '<') {
      if (!top() && root) throw new Error(`a second root element at ${i}`);
      i = openTag(text, i, stack, (e) => (root = e));
    } else {
      const next = text.indexOf('<', i);
      const raw = text.slice(i, next < 0 ? text.length : next);
      const parent = top();
      if (!parent && raw.trim() !== '') throw new Error(`text outside the root at ${i}`);
      if (parent) parent.content.push(decode(raw, i));
      i = next < 0 ? text.length : next;
    }
    if (i <= 0) throw new Error('unterminated markup');
  }
  if (stack.length > 0) throw new Error(`<${top()!.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

function openTag(
  text: string,
  start: number,
  stack: XmlElement[],
  setRoot: (e: XmlElement) => void,
): number {
  let i = start + 1;
  const name = NAME.exec(text.slice(i))?.[0];
  if (!name) throw new Error(`bad tag name at ${start}`);
  i += name.length;
  const element: XmlElement = { name, attrs: {}, children: [], content: [] };
  for (;;) {
    const ws = /^\s*/.exec(text.slice(i))![0].length;
    i += ws;
    if (text.startsWith('/>', i) || text[i] === '>') break;
    if (ws === 0) throw new Error(`attributes need spaces between them at ${i}`);
    const m = /^([A-Za-z_:][\w.:-]*)="([^"]*)"|^([A-Za-z_:][\w.:-]*)='([^']*)'/.exec(text.slice(i));
    if (!m) throw new Error(`bad attribute at ${i}`);
    const key = m[1] ?? m[3]!;
    if (key in element.attrs) throw new Error(`duplicate attribute ${key} at ${i}`);
    element.attrs[key] = decode(m[2] ?? m[4]!, i);
    i += m[0].length;
  }
  const parent = stack.at(-1);
  if (parent) {
    parent.children.push(element);
    parent.content.push(element);
  } else setRoot(element);
  if (text.startsWith('/>', i)) return i + 2;
  stack.push(element);
  return i + 1;
}

/** Every element of the tree, depth first. */
export function elements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(elements)];
}

/** An element's text with its descendants'. */
export function textOf(e: XmlElement): string {
  return e.content.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}
