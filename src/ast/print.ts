import type { Expression, Node, Statement } from './nodes.js';

/**
 * Prints an AST back to canonical `.nn` source: re-parsing the output gives the same AST
 * (ranges aside). The formatter builds on this; comments are not part of the AST.
 */
export function printNode(node: Node, indent = ''): string {
  switch (node.kind) {
    case 'Program':
      return (
        node.body.map((s) => printStatement(s, indent)).join('\n') + (node.body.length ? '\n' : '')
      );
    case 'Argument':
      return node.name
        ? `${node.name.name}=${printExpression(node.value)}`
        : printExpression(node.value);
    case 'Model':
    case 'Assignment':
    case 'ExpressionStatement':
      return printStatement(node, indent);
    default:
      return printExpression(node);
  }
}

function printStatement(s: Statement, indent: string): string {
  switch (s.kind) {
    case 'Model': {
      const body = s.body.map((b) => printStatement(b, indent + '  ')).join('\n');
      return `${indent}model ${s.name.name} {\n${body}${body ? '\n' : ''}${indent}}`;
    }
    case 'Assignment':
      return `${indent}${s.target.name} = ${printExpression(s.value)}`;
    case 'ExpressionStatement':
      return indent + printExpression(s.expression);
  }
}

function printExpression(e: Expression): string {
  switch (e.kind) {
    case 'Chain':
      return e.steps.map(printExpression).join(' -> ');
    case 'Call':
      return `${e.callee.name}(${e.args.map((a) => printNode(a)).join(', ')})`;
    case 'Identifier':
      return e.name;
    case 'Number':
      return e.raw;
    case 'String':
      return `'${e.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
    case 'Boolean':
      return e.value ? 'True' : 'False';
    case 'None':
      return 'None';
    case 'Tuple':
      return e.elements.length === 1
        ? `(${printExpression(e.elements[0]!)},)`
        : `(${e.elements.map(printExpression).join(', ')})`;
    case 'List':
      return `[${e.elements.map(printExpression).join(', ')}]`;
    case 'Error':
      return '?';
  }
}
