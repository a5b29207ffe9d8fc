/** The AST: node types and walking (printing back to source: src/format). */
export * from './nodes.js';
export * from './walk.js';
