// Machine output: one JSON object per result; NDJSON (one per line) for streams and several targets.
// Strings carry network text: C1 and bidi controls leave as \u escapes (escapeJsonText), never raw.
import { escapeJsonText } from '../core/text.js';

export function toJson(result: unknown): string {
  return escapeJsonText(JSON.stringify(result, jsonReplacer, 2)) + '\n';
}

export function toNdjsonLine(result: unknown): string {
  return escapeJsonText(JSON.stringify(result, jsonReplacer)) + '\n';
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return value;
}
