/**
 * TF.js model folders on disk. Writing goes to a temporary folder beside the target, renamed
 * into place at the end, so a crash or a full disk never leaves a half-written model; reading
 * checks the manifest's shard paths (plain file names beside model.json only) and sizes.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InteropError } from './problems.js';
import type { TfjsArtifacts } from './tfjs-export.js';
import { isObject, type Json, type JsonObject } from './values.js';

/** The files an export folder holds: all that writeTfjsFolder may replace. */
const exportFile = /^(model\.json|group\d+-shard\d+of\d+\.bin)$/;

/**
 * Writes model.json and the shards into `dir`: created, or replaced when it holds only a
 * previous export (model.json and group*-shard*.bin files); any other folder is refused
 * before anything is written.
 */
export function writeTfjsFolder(dir: string, artifacts: TfjsArtifacts): void {
  const target = resolve(dir);
  const replacing = existsSync(target);
  if (replacing) {
    if (!statSync(target).isDirectory()) throw new Error(`${dir} exists and is not a folder.`);
    const foreign = readdirSync(target).filter((f) => !exportFile.test(f));
    if (foreign.length > 0)
      throw new Error(
        `${dir} holds files that are not an export (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): name a new or empty folder.`,
      );
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const temp = join(parent, `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  mkdirSync(temp);
  try {
    for (const s of artifacts.shards) writeFileSync(join(temp, s.path), s.bytes);
    writeFileSync(join(temp, 'model.json'), JSON.stringify(artifacts.modelJson, null, 1) + '\n');
    if (replacing) {
      const old = `${temp}.old`;
      renameSync(target, old);
      try {
        renameSync(temp, target);
      } catch (e) {
        renameSync(old, target);
        throw e;
      }
      rmSync(old, { recursive: true, force: true });
    } else renameSync(temp, target);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}

/** A model.json read and parsed, and its weight groups' bytes (one buffer per manifest group). */
export interface TfjsFolder {
  file: string;
  json: JsonObject;
  /** Per weightsManifest group, its shards concatenated; empty without a manifest. */
  groups: Uint8Array[];
}

/** Reads a model.json and every shard its manifest names; errors name the file and what is wrong. */
export function readTfjsFolder(file: string): TfjsFolder {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(file, '', `cannot read it: ${readFailure(e)}`);
  }
  const json = parseModelJson(text, file);
  const manifest = json['weightsManifest'];
  const groups: Uint8Array[] = [];
  if (Array.isArray(manifest))
    manifest.forEach((group, g) => {
      const paths = isObject(group) ? group['paths'] : undefined;
      if (!Array.isArray(paths))
        fail(file, `weightsManifest[${g}].paths`, 'expected a list of shard file names.');
      const parts = paths.map((p, i) => readShard(file, p, `weightsManifest[${g}].paths[${i}]`));
      const total = parts.reduce((n, p) => n + p.length, 0);
      const all = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      groups.push(all);
    });
  return { file, json, groups };
}

/** model.json's text as an object, or an error naming the file. */
export function parseModelJson(text: string, file: string): JsonObject {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (e) {
    fail(file, '', `it is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(json))
    fail(file, '', 'expected a JSON object (a TF.js model.json or a Keras model config).');
  return json;
}

function readShard(file: string, p: Json, path: string): Uint8Array {
  if (
    typeof p !== 'string' ||
    !/^(\.\/)?[A-Za-z0-9_.-]+$/.test(p) ||
    p === '.' ||
    p === '..' ||
    p.startsWith('..')
  )
    fail(
      file,
      path,
      `${JSON.stringify(p)} is not a plain file name beside model.json; nnlang reads no other paths.`,
    );
  const shard = join(dirname(file), p);
  try {
    return new Uint8Array(readFileSync(shard));
  } catch (e) {
    fail(file, path, `cannot read the weight shard ${shard}: ${readFailure(e)}`);
  }
}

/** The bytes of a model file (a .keras archive); a file that cannot be read is an InteropError. */
export function readModelFile(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    fail(file, '', `cannot read it: ${readFailure(e)}`);
  }
}

/** Why a file could not be read, in words rather than Node's error codes. */
function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}

function fail(file: string, path: string, message: string): never {
  throw new InteropError(file, [{ path, message, severity: 'error' }]);
}
