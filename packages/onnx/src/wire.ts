import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';

// A structural check of protobuf bytes against a message schema, run before decoding. The protobuf-es decoder does not
// look at wire types (a length-delimited record in an int64 field is read as a varint and the rest of the message is
// misparsed), so without this check a field of the wrong type decodes into silent garbage instead of an error.

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const SGROUP = 3;
const EGROUP = 4;
const I32 = 5;

/** Thrown for bytes that do not match the schema; `path` names the field (`graph.node[3].attribute[0].t`). */
export class WireError extends Error {
  constructor(message: string, readonly path: string, readonly offset: number) {
    super(`${message} at byte ${offset}${path ? ` (in ${path})` : ''}`);
    this.name = 'WireError';
  }
}

function scalarWireType(scalar: ScalarType): number {
  switch (scalar) {
    case ScalarType.DOUBLE: case ScalarType.FIXED64: case ScalarType.SFIXED64: return I64;
    case ScalarType.FLOAT: case ScalarType.FIXED32: case ScalarType.SFIXED32: return I32;
    case ScalarType.STRING: case ScalarType.BYTES: return LEN;
    default: return VARINT;
  }
}

interface FieldRule {
  name: string;
  /** The wire type of one element. */
  wire: number;
  /** A repeated numeric field, which may also come packed (one LEN record). */
  packable: boolean;
  message: DescMessage | undefined;
}

const rulesCache = new WeakMap<DescMessage, Map<number, FieldRule>>();

function rulesOf(desc: DescMessage): Map<number, FieldRule> {
  let rules = rulesCache.get(desc);
  if (rules) return rules;
  rules = new Map();
  for (const f of desc.fields as readonly DescField[]) {
    let wire: number;
    let packable = false;
    let message: DescMessage | undefined;
    if (f.fieldKind === 'message' || (f.fieldKind === 'list' && f.listKind === 'message')) {
      message = f.message;
      wire = f.delimitedEncoding ? SGROUP : LEN;
    } else if (f.fieldKind === 'enum' || (f.fieldKind === 'list' && f.listKind === 'enum')) {
      wire = VARINT;
      packable = f.fieldKind === 'list';
    } else if (f.fieldKind === 'scalar' || f.fieldKind === 'list') {
      wire = scalarWireType(f.scalar as ScalarType);
      packable = f.fieldKind === 'list' && wire !== LEN;
    } else {
      wire = LEN; // maps (ONNX has none): entries are messages; not checked further
    }
    rules.set(f.number, { name: f.localName, wire, packable, message });
  }
  rulesCache.set(desc, rules);
  return rules;
}

class Cursor {
  pos: number;
  constructor(readonly buf: Uint8Array, start: number, readonly path: string[]) {
    this.pos = start;
  }

  fail(message: string): never {
    throw new WireError(message, this.path.join('.'), this.pos);
  }

  varint(end: number): number {
    // Returns the low 53 bits (enough for tags and lengths); checks the varint is at most 10 bytes and complete.
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.fail('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }

  skip(n: number, end: number): void {
    if (n > end - this.pos) this.fail(`record of ${n} bytes runs past the end of its message`);
    this.pos += n;
  }
}

function skipValue(c: Cursor, wire: number, fieldNo: number, end: number, depth: number): void {
  switch (wire) {
    case VARINT: c.varint(end); return;
    case I64: c.skip(8, end); return;
    case I32: c.skip(4, end); return;
    case LEN: c.skip(c.varint(end), end); return;
    case SGROUP: {
      if (depth > MAX_DEPTH) c.fail('nesting too deep');
      for (;;) {
        const tag = c.varint(end);
        const no = Math.floor(tag / 8);
        const wt = tag % 8;
        if (wt === EGROUP) {
          if (no !== fieldNo) c.fail('mismatched end-group tag');
          return;
        }
        skipValue(c, wt, no, end, depth + 1);
      }
    }
    default:
      c.fail(`invalid wire type ${wire}`);
  }
}

const MAX_DEPTH = 100;

function checkPacked(c: Cursor, wire: number, end: number): void {
  if (wire === I32 || wire === I64) {
    const size = wire === I32 ? 4 : 8;
    if ((end - c.pos) % size !== 0) c.fail(`packed field length is not a multiple of ${size}`);
    c.pos = end;
    return;
  }
  while (c.pos < end) c.varint(end);
}

function checkMessage(c: Cursor, desc: DescMessage, end: number, depth: number): void {
  if (depth > MAX_DEPTH) c.fail('nesting too deep');
  const rules = rulesOf(desc);
  while (c.pos < end) {
    const tag = c.varint(end);
    const no = Math.floor(tag / 8);
    const wt = tag % 8;
    if (no === 0) c.fail('field number 0');
    const rule = rules.get(no);
    if (!rule) {
      if (wt === EGROUP) c.fail('unexpected end-group tag');
      skipValue(c, wt, no, end, depth + 1);
      continue;
    }
    if (wt === rule.wire) {
      if (rule.message) {
        const len = c.varint(end);
        if (len > end - c.pos) c.fail(`${rule.name}: message of ${len} bytes runs past the end of its parent`);
        c.path.push(rule.name);
        checkMessage(c, rule.message, c.pos + len, depth + 1);
        c.path.pop();
      } else {
        skipValue(c, wt, no, end, depth + 1);
      }
    } else if (wt === LEN && rule.packable) {
      const len = c.varint(end);
      if (len > end - c.pos) c.fail(`${rule.name}: packed field runs past the end of its message`);
      c.path.push(rule.name);
      checkPacked(c, rule.wire, c.pos + len);
      c.path.pop();
    } else {
      c.fail(`field ${rule.name} (${no}) of ${desc.name} has wire type ${wt}, expected ${rule.wire}`);
    }
  }
  if (c.pos !== end) c.fail('record runs past the end of its message');
}

/** Checks that `bytes` are well-formed protobuf for `desc`: complete records, known fields with their wire types. */
export function checkWireFormat(desc: DescMessage, bytes: Uint8Array): void {
  checkMessage(new Cursor(bytes, 0, []), desc, bytes.length, 1);
}
