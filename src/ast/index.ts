/** The AST: node types, walking, and printing back to source. */
export * from './nodes.js';
export * from './walk.js';
export * from './print.js';
