// ARC-Seal and ARC-Message-Signature are DKIM tag lists (RFC 8617 §4.1.2, §4.1.3, by way of RFC 6376 §3.2): one
// that is malformed invalidates its ARC set, and so the chain (RFC 8617 §5.2). Checked with the project's one
// tag-list parser before mailauth sees the sets: its parser lowercases tag names (S= reads as s=), keeps the last
// of two duplicates and skips empty tag-specs, so a malformed but correctly signed seal validated as "pass". Pure.
import { strictTagList } from '../auth/shared/tag-list.js';
import { MAX_SIGNED_FIELDS } from './dkim/signature.js';
import type { HeaderField } from './message.js';

const SETS: Record<string, { name: string; required: string[] }> = {
  // RFC 8617 §4.1.3: a, b, cv, d, i, s (t= is recommended, h= is not allowed).
  'arc-seal': { name: 'ARC-Seal', required: ['i', 'a', 'b', 'cv', 'd', 's'] },
  // RFC 8617 §4.1.2: as DKIM-Signature, with i= the instance and no v=.
  'arc-message-signature': { name: 'ARC-Message-Signature', required: ['i', 'a', 'b', 'bh', 'd', 'h', 's'] },
};

/** Why the ARC header fields cannot form a valid chain, syntactically; undefined when their tag lists are sound. */
export function arcSyntaxError(headers: readonly HeaderField[]): string | undefined {
  for (const h of headers) {
    const set = SETS[h.key];
    if (!set) continue;
    const value = h.raw.slice(h.raw.indexOf(':') + 1);
    const parsed = strictTagList(value);
    // Name the instance when it can be read at all, so the reason points at the set.
    const instance = /(?:^|;)[ \t\r\n]*i[ \t\r\n]*=[ \t\r\n]*(\d{1,2})[ \t\r\n]*(?:;|$)/.exec(value)?.[1];
    const where = instance ? `${set.name} i=${instance}` : set.name;
    if ('error' in parsed) return `${where}: ${parsed.error}: a malformed tag list invalidates the set (RFC 6376 §3.2)`;
    const missing = set.required.filter((t) => !parsed.tags.has(t));
    if (missing.length)
      return `${where} has no ${missing.map((t) => `${t}=`).join(', ')} (tag names are case-sensitive, RFC 6376 §3.2)`;
    const i = parsed.tags.get('i')!;
    if (!/^\d{1,2}$/.test(i) || Number(i) < 1 || Number(i) > 50)
      return `${set.name}: i=${i} is not an instance number from 1 to 50 (RFC 8617 §4.2.1)`;
    // The same bound as for a DKIM-Signature: mailauth selects the AMS's fields with a scan per name.
    const names = h.key === 'arc-message-signature' ? parsed.tags.get('h')!.split(':').length : 0;
    if (names > MAX_SIGNED_FIELDS)
      return `${where}: h= names ${names} header fields, more than the ${MAX_SIGNED_FIELDS} verified per signature`;
    if (h.key === 'arc-seal' && parsed.tags.has('h'))
      return `${where} has an h= tag, which a seal must not have (RFC 8617 §4.1.3)`;
  }
  return undefined;
}
