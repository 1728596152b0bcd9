import type { KeyValue } from '@quantforge/core';
import { newMessage, residue, type StringStringEntryProto } from './codec.js';
import { restExtra, restOf } from './extra.js';

export function kvFromProto(e: StringStringEntryProto): KeyValue {
  const kv: KeyValue = { key: e.key, value: e.value };
  const extra = restExtra(residue('entry', e, ['key', 'value']));
  if (extra) kv.extra = extra;
  return kv;
}

export function kvToProto(kv: KeyValue): StringStringEntryProto {
  const m = newMessage('entry', restOf(kv.extra));
  if (kv.key !== '') m.key = kv.key;
  if (kv.value !== '') m.value = kv.value;
  return m;
}

/** Metadata list from proto: undefined when empty, so the IR does not carry empty arrays around. */
export function kvListFromProto(list: StringStringEntryProto[]): KeyValue[] | undefined {
  return list.length > 0 ? list.map(kvFromProto) : undefined;
}

export function kvListToProto(list: readonly KeyValue[] | undefined): StringStringEntryProto[] {
  return list ? list.map(kvToProto) : [];
}
