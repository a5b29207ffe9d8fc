import type { Node } from './nodes.js';

/** The direct children of a node, in source order. */
export function childrenOf(node: Node): Node[] {
  switch (node.kind) {
    case 'Program':
      return node.body;
    case 'Model':
      return [node.name, ...node.body];
    case 'Assignment':
      return [node.target, node.value];
    case 'TupleAssignment':
      return [...node.targets, node.value];
    case 'ExpressionStatement':
      return [node.expression];
    case 'Chain':
      return node.steps;
    case 'Call':
      return [node.callee, ...node.args];
    case 'Argument':
      return node.name ? [node.name, node.value] : [node.value];
    case 'Tuple':
    case 'List':
      return node.elements;
    default:
      return [];
  }
}

/** Visits `node` and its descendants depth-first, parents before children. */
export function walk(
  node: Node,
  visit: (node: Node, parent: Node | undefined) => void,
  parent?: Node,
): void {
  visit(node, parent);
  for (const child of childrenOf(node)) walk(child, visit, node);
}

/** The innermost node whose range contains `offset` (for hover and completion). */
export function nodeAt(root: Node, offset: number): Node[] {
  const path: Node[] = [];
  let current: Node | undefined = root;
  while (current) {
    path.push(current);
    current = childrenOf(current).find(
      (c) => c.range.start.offset <= offset && offset <= c.range.end.offset,
    );
  }
  return path;
}
