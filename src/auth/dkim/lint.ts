// Verdicts on one DKIM key record (RFC 6376 §3.2, §3.6.1; RFC 8301 key sizes and hashes; RFC 8463 Ed25519).
// Pure: a parsed record in, findings out, each pointing (span) at the part of the record it is about.
import { finding, type Finding, type Severity } from '../../core/result.js';
import { decodeRecordKey } from './public-key.js';
import type { DkimKeyRecord } from './record.js';

export interface DkimFinding extends Finding {
  /** The selector the finding is about (absent for domain-wide findings). */
  selector?: string;
  /** [start, end) offsets into that selector's record text: the offending part. */
  span?: [number, number];
}

export interface DkimLintOptions {
  selector: string;
  /** Asked for by name (--selector, a message's signature): a revoked key there is a warning, not trivia. */
  explicit?: boolean;
}

export function lintDkimKey(r: DkimKeyRecord, opts: DkimLintOptions): DkimFinding[] {
  const out: DkimFinding[] = [];
  const who = `Selector ${opts.selector}`;
  const add = (id: string, severity: Severity, message: string, extra: Partial<DkimFinding> = {}) =>
    out.push({ ...finding(id, severity, `${who}: ${message}`), selector: opts.selector, ...extra });
  const tag = (n: string) => r.tags.find((t) => t.name === n);
  const spanOf = (n: string, value = false): [number, number] | undefined => {
    const t = tag(n);
    if (!t) return undefined;
    return value ? [t.valueStart, t.valueEnd] : [t.start, t.end];
  };

  for (const issue of r.issues) {
    if (issue.kind === 'duplicate') {
      add(
        'dkim.record.duplicate-tag',
        'fail',
        `${issue.message}; a tag list with a duplicate tag is invalid as a whole.`,
        { ref: 'RFC 6376 §3.2', span: [issue.start, issue.end] },
      );
    } else if (issue.kind === 'empty') {
      // Said as the verifier (src/verify/dkim/key.ts, the same parser) will judge it: the record is rejected.
      add(
        'dkim.record.empty-tag',
        'fail',
        'the record has an empty tag (";;"), which RFC 6376 §3.2 does not allow: strict verifiers (python3-dkim, mailcheck verify) reject the whole record, so signatures fail there.',
        { ref: 'RFC 6376 §3.2', span: [issue.start, issue.end], advice: 'Remove the extra ";".' },
      );
    } else if (issue.kind === 'bad-char') {
      // Verifiers (python3-dkim, Mail::DKIM, OpenDKIM, mailcheck verify) read past it: a warning, not a broken key.
      add(
        'dkim.record.bad-char',
        'warn',
        `${issue.message}; verifiers read past it, but a strict parser may reject the record.`,
        { ref: 'RFC 6376 §3.2', span: [issue.start, issue.end] },
      );
    } else {
      add('dkim.record.syntax', 'fail', `${issue.message}.`, { ref: 'RFC 6376 §3.2', span: [issue.start, issue.end] });
    }
  }
  if (r.version !== null && r.version !== 'DKIM1') {
    add('dkim.record.version', 'fail', `v=${r.version} is not "DKIM1", so verifiers discard the record.`, {
      ref: 'RFC 6376 §3.6.1',
      span: spanOf('v'),
      advice: 'Start the record with v=DKIM1, or leave v= out.',
    });
  } else if (r.versionNotFirst) {
    add('dkim.record.version', 'fail', 'v= must be the first tag of the record; verifiers may discard it.', {
      ref: 'RFC 6376 §3.6.1',
      span: spanOf('v'),
      advice: 'Move v=DKIM1 to the front.',
    });
  }
  if (r.publicKey === null) {
    add('dkim.record.no-key', 'fail', 'the record has no p= tag, so there is no key to verify signatures with.', {
      ref: 'RFC 6376 §3.6.1',
    });
  } else if (r.publicKey === '') {
    add(
      'dkim.key.revoked',
      opts.explicit ? 'warn' : 'info',
      'p= is empty: the key is revoked, and signatures made with it fail.',
      { ref: 'RFC 6376 §3.6.1', span: spanOf('p') },
    );
  } else {
    lintKeyMaterial(r, add, spanOf);
  }
  if (r.hashes !== null && !r.hashes.includes('sha256')) {
    add(
      'dkim.key.hash-restricted',
      'fail',
      `h=${tag('h')?.value} rules out sha256, the only hash RFC 8301 allows for signing.`,
      { ref: 'RFC 8301 §3.1', span: spanOf('h'), advice: 'Remove h=, or set h=sha256.' },
    );
  }
  if (!r.services.includes('*') && !r.services.includes('email')) {
    add(
      'dkim.key.service',
      'fail',
      `s=${tag('s')?.value} does not include "email", so the key may not be used for mail.`,
      { ref: 'RFC 6376 §3.6.1', span: spanOf('s') },
    );
  }
  if (r.flags.includes('y')) {
    add(
      'dkim.key.testing',
      'warn',
      't=y: the domain says it is testing DKIM, and receivers treat its signed mail like unsigned mail.',
      { ref: 'RFC 6376 §3.6.1', span: spanOf('t'), advice: 'Remove t=y once signatures verify.' },
    );
  }
  if (r.flags.includes('s')) {
    add('dkim.key.strict', 'info', 't=s: signatures whose i= is a subdomain of d= are not valid with this key.', {
      ref: 'RFC 6376 §3.6.1',
      span: spanOf('t'),
    });
  }
  for (const t of r.unknownTags) {
    add('dkim.record.unknown-tag', 'info', `${t.name}= is not a DKIM key tag; verifiers ignore it.`, {
      ref: 'RFC 6376 §3.6.1',
      span: [t.start, t.end],
    });
  }
  if (r.publicKey && !out.some((f) => f.severity === 'fail' || f.severity === 'warn')) {
    const d = decodeRecordKey(r as { publicKey: string });
    if (d.ok) add('dkim.key.ok', 'ok', `a valid ${d.type === 'rsa' ? `${d.bits}-bit RSA` : 'Ed25519'} key.`);
  }
  return out;
}

type Add = (id: string, severity: Severity, message: string, extra?: Partial<DkimFinding>) => void;

function lintKeyMaterial(
  r: DkimKeyRecord,
  add: Add,
  spanOf: (n: string, value?: boolean) => [number, number] | undefined,
): void {
  const k = r.keyType;
  if (k !== 'rsa' && k !== 'ed25519') {
    add('dkim.key.type-unknown', 'fail', `k=${k} is not a key type verifiers know (rsa, ed25519).`, {
      ref: 'RFC 6376 §3.6.1, RFC 8463',
      span: spanOf('k'),
    });
    return;
  }
  const d = decodeRecordKey(r as { publicKey: string });
  if (!d.ok) {
    add('dkim.key.invalid', 'fail', `${d.reason}; signatures cannot be verified.`, {
      ref: 'RFC 6376 §3.6.1',
      span: spanOf('p', true),
      advice: 'Publish the base64 public key again, copied whole (all TXT strings, no quotes or spaces lost).',
    });
    return;
  }
  if (d.type !== k) {
    add(
      'dkim.key.type-mismatch',
      'fail',
      `k=${k} but p= holds ${d.type === 'rsa' ? 'an RSA' : 'an Ed25519'} key; verifiers reject it.`,
      {
        ref: 'RFC 6376 §3.6.1',
        span: spanOf('k') ?? spanOf('p', true),
        advice: d.type === 'ed25519' ? 'Add k=ed25519 (k= defaults to rsa).' : `Set k=${d.type}.`,
      },
    );
  }
  if (d.type === 'ed25519' && d.format === 'spki') {
    add(
      'dkim.key.ed25519-spki',
      'fail',
      'the Ed25519 key is wrapped in a SubjectPublicKeyInfo; RFC 8463 publishes the bare 32-byte key, and verifiers such as OpenDKIM reject the wrapped form.',
      {
        ref: 'RFC 8463 §4.2',
        span: spanOf('p', true),
        advice: 'Publish only the last 32 bytes of the key (44 base64 characters).',
      },
    );
  }
  if (d.format === 'pkcs1') {
    add(
      'dkim.key.rsa-pkcs1',
      'warn',
      'the RSA key is a bare RSAPublicKey; most verifiers expect a SubjectPublicKeyInfo ("openssl rsa -pubout") and some fail on this form.',
      { ref: 'RFC 6376 §3.6.1', span: spanOf('p', true) },
    );
  }
  if (d.type === 'rsa') {
    if (d.bits < 1024) {
      add(
        'dkim.key.rsa-insecure',
        'fail',
        `the RSA key has only ${d.bits} bits; verifiers must not accept signatures from keys under 1024 bits, and such keys can be factored.`,
        {
          ref: 'RFC 8301 §3.2',
          span: spanOf('p', true),
          advice: 'Generate a 2048-bit key (mailcheck dkim keygen) and rotate to a new selector.',
        },
      );
    } else if (d.bits < 2048) {
      add(
        'dkim.key.rsa-short',
        'warn',
        `the RSA key has ${d.bits} bits; 2048 is the recommended minimum and some receivers already distrust 1024.`,
        { ref: 'RFC 8301 §3.2', span: spanOf('p', true), advice: 'Rotate to a 2048-bit key on a new selector.' },
      );
    } else if (d.bits > 4096) {
      add(
        'dkim.key.rsa-large',
        'warn',
        `the RSA key has ${d.bits} bits; verifiers only have to handle up to 4096, so some will not verify these signatures.`,
        { ref: 'RFC 8301 §3.2' },
      );
    }
  }
}
