// The library's CSV reader (src/data/csv.ts) and csv-parse use Node's global Buffer; in the
// browser bundle every free `Buffer` is this one (the same implementation as Node's API).
export { Buffer } from 'buffer';
