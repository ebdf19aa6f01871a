// A small, lenient, safe XML reader for the narrow shape of DMARC aggregate reports (RFC 7489 Appendix C,
// RFC 9990): elements and text only. Entities are never expanded beyond the five predefined ones and
// character references, and a document that declares any (a DOCTYPE with an internal subset) is refused,
// so entity-expansion bombs cannot happen by construction. Truncated documents yield what was read.

export interface XmlElement {
  /** Local name (any namespace prefix removed), lower-cased: reporters disagree on case. */
  name: string;
  children: XmlElement[];
  /** The element's own text (CDATA included), entities decoded, not trimmed. */
  text: string;
  /** The start tag's attributes as written (only kept when there are any): reports need just xmlns. */
  attributes?: string;
}

export interface XmlDocument {
  root: XmlElement | null;
  /** The document ended inside an element (a cut-off download or a truncated attachment). */
  truncated: boolean;
}

export class XmlError extends Error {
  constructor(
    readonly code: 'entity' | 'depth' | 'size' | 'syntax',
    message: string,
  ) {
    super(message);
  }
}

export interface XmlLimits {
  /** Nesting depth; the report schema needs 5. */
  maxDepth?: number;
  /** Elements in one document. */
  maxElements?: number;
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(xml: string, limits: XmlLimits = {}): XmlDocument {
  const maxDepth = limits.maxDepth ?? 32;
  const maxElements = limits.maxElements ?? 5_000_000;
  const top: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [top];
  let elements = 0;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i && stack.length > 1) stack[stack.length - 1]!.text += decodeEntities(xml.slice(i, textEnd));
    if (lt === -1) break;
    i = lt;
    const c = xml.charCodeAt(i + 1);
    if (c === 0x2f /* / */) {
      const gt = xml.indexOf('>', i);
      if (gt === -1) return { root: top.children[0] ?? null, truncated: true };
      const name = localName(xml.slice(i + 2, gt).trim());
      // Lenient: close up to the matching open element; a stray close tag is ignored.
      for (let d = stack.length - 1; d > 0; d--) {
        if (stack[d]!.name === name) {
          stack.length = d;
          break;
        }
      }
      i = gt + 1;
    } else if (c === 0x3f /* ? */) {
      const end = xml.indexOf('?>', i);
      if (end === -1) return { root: top.children[0] ?? null, truncated: true };
      i = end + 2;
    } else if (c === 0x21 /* ! */) {
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end === -1) return { root: top.children[0] ?? null, truncated: true };
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i + 9);
        const stop = end === -1 ? n : end;
        if (stack.length > 1) stack[stack.length - 1]!.text += xml.slice(i + 9, stop);
        if (end === -1) return { root: top.children[0] ?? null, truncated: true };
        i = end + 3;
      } else if (/^<!DOCTYPE/i.test(xml.slice(i, i + 9))) {
        const gt = xml.indexOf('>', i);
        const bracket = xml.indexOf('[', i);
        // An internal subset is where entities are declared: refuse the document rather than expand or ignore
        // them (ignoring would leave &name; references whose meaning the sender intended differently).
        if (bracket !== -1 && (gt === -1 || bracket < gt))
          throw new XmlError('entity', 'the XML declares a DOCTYPE internal subset (entity declarations are refused)');
        if (gt === -1) return { root: top.children[0] ?? null, truncated: true };
        i = gt + 1;
      } else {
        const gt = xml.indexOf('>', i);
        if (/^<!ENTITY/i.test(xml.slice(i, i + 8))) throw new XmlError('entity', 'the XML declares entities (refused)');
        if (gt === -1) return { root: top.children[0] ?? null, truncated: true };
        i = gt + 1;
      }
    } else {
      const gt = tagEnd(xml, i + 1);
      if (gt === -1) return { root: top.children[0] ?? null, truncated: true };
      const selfClosing = xml.charCodeAt(gt - 1) === 0x2f;
      const inner = xml.slice(i + 1, selfClosing ? gt - 1 : gt);
      const nameEnd = inner.search(/[\s/]/);
      const raw = nameEnd === -1 ? inner : inner.slice(0, nameEnd);
      if (!raw) throw new XmlError('syntax', `'<' without an element name at offset ${i}`);
      const el: XmlElement = { name: localName(raw), children: [], text: '' };
      if (nameEnd !== -1 && inner.length > nameEnd + 1) el.attributes = inner.slice(nameEnd).trim();
      if (++elements > maxElements) throw new XmlError('size', `more than ${maxElements} XML elements`);
      stack[stack.length - 1]!.children.push(el);
      if (!selfClosing) {
        if (stack.length > maxDepth) throw new XmlError('depth', `XML nested deeper than ${maxDepth} elements`);
        stack.push(el);
      }
      i = gt + 1;
    }
  }
  return { root: top.children[0] ?? null, truncated: stack.length > 1 };
}

/** The '>' that ends a start tag, skipping quoted attribute values (which may contain '>'). */
function tagEnd(xml: string, from: number): number {
  let quote = 0;
  for (let j = from; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return j;
  }
  return -1;
}

function localName(raw: string): string {
  const colon = raw.indexOf(':');
  return (colon === -1 ? raw : raw.slice(colon + 1)).toLowerCase();
}

/** The five predefined entities and character references; anything else is left as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}

/** First child element named `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Every child element named `name`. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Trimmed text of the first child named `name`; undefined when absent or empty. */
export function textOf(el: XmlElement | undefined, name: string): string | undefined {
  const t = child(el, name)?.text.trim();
  return t ? t : undefined;
}
