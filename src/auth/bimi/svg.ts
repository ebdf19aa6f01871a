// What mailbox providers require of a BIMI logo: SVG Tiny Portable/Secure (SVG 1.2 Tiny profile "tiny-ps":
// a <title>, no scripts, no external references, no animation, no raster images). A screen, not a validator. Pure.

export interface SvgInspection {
  isSvg: boolean;
  /** baseProfile="tiny-ps" on the root element. */
  tinyPs: boolean;
  title: string | null;
  /** Elements and attributes the profile forbids that were found. */
  forbidden: string[];
  bytes: number;
}

/** Logos over 32 KiB are refused by the BIMI group's guidance and by major providers. */
export const SVG_MAX_BYTES = 32_768;

const FORBIDDEN_ELEMENTS = [
  'script',
  'foreignObject',
  'image',
  'animate',
  'animateMotion',
  'animateTransform',
  'animateColor',
  'set',
  'a',
  'iframe',
  'video',
  'audio',
];

export function inspectSvg(body: Buffer): SvgInspection {
  const text = body.toString('utf8');
  const root = /<svg\b[^>]*>/i.exec(stripProlog(text));
  const forbidden: string[] = [];
  for (const el of FORBIDDEN_ELEMENTS) {
    if (new RegExp(`<(?:[A-Za-z]+:)?${el}\\b`, 'i').test(text)) forbidden.push(`<${el}>`);
  }
  if (/\son[a-z]+\s*=/i.test(text)) forbidden.push('event handler attribute (on…=)');
  if (/(?:xlink:)?href\s*=\s*["']\s*(?:https?:|data:|javascript:|\/\/)/i.test(text))
    forbidden.push('external reference (href to a URL)');
  const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1]?.trim() ?? null;
  return {
    isSvg: Boolean(root),
    tinyPs: Boolean(root && /\bbaseProfile\s*=\s*["']tiny-ps["']/.test(root[0])),
    title: title === '' ? null : title,
    forbidden,
    bytes: body.length,
  };
}

/** The root must come first: after an XML declaration, comments and a DOCTYPE at most. */
function stripProlog(text: string): string {
  return text.replace(/^\uFEFF?\s*(<\?xml[\s\S]*?\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*/i, '');
}
