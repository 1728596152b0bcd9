/** Formatting helpers for generated C. */

/** A C identifier from a tensor name: `<prefix><id>_<sanitized name>`, capped so symbols stay readable. */
export function cName(prefix: string, id: number, name: string): string {
  const s = name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40);
  return s === '' ? `${prefix}${id}` : `${prefix}${id}_${s}`;
}

/** Text safe inside a C block comment. */
export function cComment(text: string): string {
  return text.replace(/\*\//g, '* /').replace(/[\r\n]+/g, ' ');
}

/** A C string literal (ASCII; other bytes as octal escapes). */
export function cString(text: string): string {
  let out = '"';
  for (const b of new TextEncoder().encode(text)) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f && b !== 0x3f) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** An int32 literal: INT32_MIN cannot be written as a negated constant. */
export function cInt(v: number): string {
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

/** A double literal that parses back to exactly `v` (shortest round-trip form). */
export function cDouble(v: number): string {
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/** Comma-separated values, `perLine` to a line, indented. */
export function cList(values: ArrayLike<number>, perLine: number, indent = '    '): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const row: string[] = [];
    for (let j = i; j < Math.min(values.length, i + perLine); j++) row.push(cInt(values[j] as number));
    lines.push(`${indent}${row.join(', ')},`);
  }
  return lines.join('\n');
}
