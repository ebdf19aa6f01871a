// The BIMI assertion record at <selector>._bimi.<domain> (draft-brand-indicators-for-message-identification §4.2):
// "v=BIMI1; l=<https SVG URL>; a=<https VMC URL>". Pure.

export interface BimiRecord {
  raw: string;
  /** l=: where the SVG logo is; empty means the domain declines to show one. */
  location: string | null;
  /** a=: where the Verified Mark Certificate (PEM) is; null when absent or empty. */
  authority: string | null;
  /** "v=BIMI1; l=; a=;" — an explicit declination to publish a logo (§4.2). */
  declined: boolean;
  tags: { name: string; value: string }[];
  errors: string[];
}

export function isBimiTxt(text: string): boolean {
  return /^v=BIMI1[ \t]*(;|$)/.test(text);
}

export function parseBimiRecord(raw: string): BimiRecord {
  const errors: string[] = [];
  const tags: { name: string; value: string }[] = [];
  const parts = raw.split(';').map((p) => p.trim());
  if (parts[parts.length - 1] === '') parts.pop();
  parts.forEach((p, i) => {
    const eq = p.indexOf('=');
    if (eq <= 0) {
      errors.push(p === '' ? 'empty tag (two ";" in a row)' : `"${p}" is not a tag=value pair`);
      return;
    }
    const name = p.slice(0, eq).trim();
    const value = p.slice(eq + 1).trim();
    if (i === 0 && (name !== 'v' || value !== 'BIMI1')) errors.push('the record must start with "v=BIMI1"');
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) errors.push(`"${name}" is not a valid tag name`);
    if (tags.some((t) => t.name === name)) errors.push(`the ${name}= tag appears more than once`);
    tags.push({ name, value });
  });
  const l = tags.find((t) => t.name === 'l');
  const a = tags.find((t) => t.name === 'a');
  if (!l) errors.push('the record has no l= tag (use "l=" with an empty value to decline)');
  const location = l && l.value !== '' ? l.value : null;
  const authority = a && a.value !== '' ? a.value : null;
  return { raw, location, authority, declined: Boolean(l) && location === null && authority === null, tags, errors };
}
