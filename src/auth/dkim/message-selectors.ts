// Selectors from evidence: the d= and s= of every DKIM-Signature header of a message (RFC 6376 §3.5).
// Pure: message text in; header unfolding per RFC 5322 §2.2.3.
import { parseTagList, tagValue } from '../shared/tag-list.js';

export interface MessageSignature {
  domain: string;
  selector: string;
  algorithm: string | null;
}

export function signaturesInMessage(message: string): MessageSignature[] {
  const end = message.search(/\r?\n\r?\n/);
  const header = end < 0 ? message : message.slice(0, end);
  const fields = header.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/);
  const out: MessageSignature[] = [];
  for (const field of fields) {
    const m = /^dkim-signature[ \t]*:(.*)$/is.exec(field);
    if (!m) continue;
    // FWS inside b= and bh= is allowed; the tag list parser keeps values trimmed.
    const tags = parseTagList(m[1]!);
    const domain = tagValue(tags, 'd')?.toLowerCase().replace(/\.$/, '');
    const selector = tagValue(tags, 's')?.toLowerCase();
    if (domain && selector) out.push({ domain, selector, algorithm: tagValue(tags, 'a')?.toLowerCase() ?? null });
  }
  return out;
}
