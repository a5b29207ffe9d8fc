/** Diagnostics: the type, the one message table, reporting, and rendering with code frames. */
export * from './diagnostic.js';
export * from './messages.js';
export * from './report.js';
export * from './render.js';
