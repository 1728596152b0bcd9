import { create, isFieldSet, toBinary, type DescField, type DescMessage, type MessageShape } from '@bufbuild/protobuf';

// Encoding with large byte fields copied once. protobuf-es's writer grows one buffer by doubling and shifts every
// nested message whose length prefix needs more than one byte, so a 300 MB raw_data is copied four to six times
// (tensor, graph, model, growth, final slice). Here the messages on the path to a large bytes field are written
// field by field as a list of chunks (small fields through protobuf-es, the large bytes as views), and the chunks
// are joined once. The output is the same as toBinary: fields in field-number order, unknown fields last.

type AnyMsg = MessageShape<DescMessage> & Record<string, unknown> & { $unknown?: unknown[] };

const sortedCache = new WeakMap<DescMessage, readonly DescField[]>();
function sortedFields(desc: DescMessage): readonly DescField[] {
  let s = sortedCache.get(desc);
  if (!s) {
    s = [...(desc.fields as readonly DescField[])].sort((a, b) => a.number - b.number);
    sortedCache.set(desc, s);
  }
  return s;
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

function isMessageField(f: DescField): boolean {
  return f.fieldKind === 'message' || (f.fieldKind === 'list' && f.listKind === 'message');
}

function isLargeBytes(f: DescField, value: unknown, large: number): value is Uint8Array {
  return f.fieldKind === 'scalar' && value instanceof Uint8Array && value.length >= large;
}

/** Whether a message holds a bytes field of at least `large` bytes, at any depth (memoized per message). */
function holdsLarge(desc: DescMessage, msg: AnyMsg, large: number, memo: Map<object, boolean>): boolean {
  const known = memo.get(msg);
  if (known !== undefined) return known;
  let found = false;
  for (const f of desc.fields as readonly DescField[]) {
    const value = f.oneof ? undefined : msg[f.localName];
    if (isLargeBytes(f, value, large)) found = true;
    else if (f.fieldKind === 'message' && value) found = holdsLarge(f.message, value as AnyMsg, large, memo);
    else if (f.fieldKind === 'list' && f.listKind === 'message') {
      for (const el of value as AnyMsg[]) if (holdsLarge(f.message, el, large, memo)) { found = true; break; }
    }
    if (found) break;
  }
  memo.set(msg, found);
  return found;
}

function partial(desc: DescMessage, f: DescField, msg: AnyMsg): Uint8Array {
  const p = create(desc) as AnyMsg;
  const name = f.oneof ? f.oneof.localName : f.localName;
  p[name] = msg[name];
  return toBinary(desc, p);
}

function chunks(desc: DescMessage, msg: AnyMsg, large: number, memo: Map<object, boolean>, out: Uint8Array[]): number {
  if (!holdsLarge(desc, msg, large, memo)) {
    const b = toBinary(desc, msg);
    out.push(b);
    return b.length;
  }
  let total = 0;
  const push = (b: Uint8Array): void => {
    out.push(b);
    total += b.length;
  };
  const nested = (field: DescField, child: AnyMsg): void => {
    const inner: Uint8Array[] = [];
    const n = chunks(field.message!, child, large, memo, inner);
    push(varint(field.number * 8 + 2));
    push(varint(n));
    for (const c of inner) push(c);
  };
  for (const f of sortedFields(desc)) {
    if (!isFieldSet(msg, f)) continue;
    const value = f.oneof ? undefined : msg[f.localName];
    if (isLargeBytes(f, value, large)) {
      push(varint(f.number * 8 + 2));
      push(varint(value.length));
      push(value);
    } else if (isMessageField(f) && !f.oneof && !(f as { delimitedEncoding?: boolean }).delimitedEncoding) {
      if (f.fieldKind === 'message') nested(f, value as AnyMsg);
      else for (const el of value as AnyMsg[]) nested(f, el);
    } else {
      push(partial(desc, f, msg));
    }
  }
  if (msg.$unknown && msg.$unknown.length > 0) {
    const p = create(desc) as AnyMsg;
    p.$unknown = msg.$unknown;
    push(toBinary(desc, p));
  }
  return total;
}

/** toBinary(desc, msg), copying bytes fields of at least `large` bytes only once. */
export function encodeChunked(desc: DescMessage, msg: MessageShape<DescMessage>, large = 1 << 20): Uint8Array {
  const parts: Uint8Array[] = [];
  const total = chunks(desc, msg as AnyMsg, large, new Map(), parts);
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
