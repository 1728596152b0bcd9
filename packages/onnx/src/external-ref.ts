import { isAbsolute, win32 } from 'node:path';
import type { ExternalDataRef, KeyValue } from '@quantforge/core';
import type { StringStringEntryProto } from './codec.js';
import { qfError } from './errors.js';
import { kvToProto } from './key-value.js';

// TensorProto.external_data entries <-> ExternalDataRef, and the rule for where external data may live.

/** Refuses a location that could leave the model's folder: empty, absolute (POSIX or Windows), or with a ".." part. */
export function checkLocation(location: string, tensorName?: string): void {
  const bad =
    location === '' ||
    location.includes('\0') ||
    isAbsolute(location) ||
    win32.isAbsolute(location) ||
    location.split(/[\\/]/).includes('..');
  if (bad) {
    throw qfError('QF_ONNX_EXTERNAL_DATA_PATH', `external data location "${location}" escapes the model folder`, {
      location, ...(tensorName === undefined ? {} : { tensor: tensorName }),
    }, { hint: 'External data must be a relative path inside the folder of the .onnx file.' });
  }
}

function parseCount(key: string, value: string, tensorName: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw qfError('QF_ONNX_EXTERNAL_DATA', `tensor "${tensorName}" has external_data ${key} "${value}", which is not a byte count`, { tensor: tensorName, key, value });
  }
  return n;
}

/** Reads the external_data entries of a tensor; the location is checked. */
export function externalRefFromEntries(entries: readonly StringStringEntryProto[], tensorName: string): ExternalDataRef {
  let location: string | undefined;
  let offset: number | undefined;
  let length: number | undefined;
  let checksum: string | undefined;
  const others: KeyValue[] = [];
  for (const e of entries) {
    if (e.key === 'location') location = e.value;
    else if (e.key === 'offset') offset = parseCount('offset', e.value, tensorName);
    else if (e.key === 'length') length = parseCount('length', e.value, tensorName);
    else if (e.key === 'checksum') checksum = e.value;
    else others.push({ key: e.key, value: e.value });
  }
  if (location === undefined) {
    throw qfError('QF_ONNX_EXTERNAL_DATA', `tensor "${tensorName}" is marked external but has no location`, { tensor: tensorName });
  }
  checkLocation(location, tensorName);
  const ref: ExternalDataRef = { location };
  if (offset !== undefined) ref.offset = offset;
  if (length !== undefined) ref.length = length;
  if (checksum !== undefined) ref.checksum = checksum;
  if (others.length > 0) ref.entries = others;
  return ref;
}

/**
 * The external_data entries for a ref: the original entries while the ref is unchanged (same order, same spelling),
 * otherwise location, offset, length, checksum and the other entries, as onnx's external_data_helper writes them.
 */
export function externalRefToEntries(ref: ExternalDataRef, saved: { entries?: KeyValue[]; snapshot?: string } | undefined): StringStringEntryProto[] {
  if (saved?.entries && saved.snapshot === JSON.stringify(ref)) return saved.entries.map(kvToProto);
  checkLocation(ref.location);
  const list: KeyValue[] = [{ key: 'location', value: ref.location }];
  if (ref.offset !== undefined) list.push({ key: 'offset', value: String(ref.offset) });
  if (ref.length !== undefined) list.push({ key: 'length', value: String(ref.length) });
  if (ref.checksum !== undefined) list.push({ key: 'checksum', value: ref.checksum });
  for (const e of ref.entries ?? []) list.push({ key: e.key, value: e.value });
  return list.map(kvToProto);
}
