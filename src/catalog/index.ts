/** The catalog of everything the language names, loaded from `specs/catalog/`. */
export * from './types.js';
export { Catalog, catalog } from './catalog.js';
export { closest, editDistance } from './suggest.js';
export * from './value.js';
