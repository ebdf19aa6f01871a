// Report files made from the schemas (RFC 7489 Appendix C / RFC 9990 XML, RFC 8460 JSON), in every packaging
// senders use: gzip, ZIP (written here: stored or deflated), and email messages with the report attached.
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

export interface RowSpec {
  ip: string;
  count?: number | null;
  disposition?: string | null;
  dkim?: string | null;
  spf?: string | null;
  reasons?: { type: string; comment?: string }[];
  headerFrom?: string | null;
  envelopeFrom?: string | null;
  envelopeTo?: string;
  dkimResults?: { domain?: string; selector?: string; result: string }[];
  spfResults?: { domain?: string; scope?: string; result: string }[];
  /** Leave <auth_results> out. */
  noAuth?: boolean;
}

export interface DmarcSpec {
  org?: string | null;
  email?: string | null;
  reportId?: string | null;
  begin?: number | null;
  end?: number | null;
  domain?: string | null;
  p?: string | null;
  sp?: string;
  pct?: number;
  adkim?: string;
  aspf?: string;
  version?: string | null;
  /** The RFC 9990 namespace and its new fields (np, testing, discovery_method, generator). */
  rfc9990?: boolean;
  rows: RowSpec[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const el = (name: string, v: string | number | null | undefined) =>
  v === null || v === undefined ? '' : `<${name}>${esc(String(v))}</${name}>`;

/** A DMARC aggregate report; a field given as null is left out. */
export function dmarcXml(s: DmarcSpec): string {
  const rows = s.rows
    .map((r) => {
      const reasons = (r.reasons ?? [])
        .map((x) => `<reason>${el('type', x.type)}${el('comment', x.comment)}</reason>`)
        .join('');
      const auth = r.noAuth
        ? ''
        : `<auth_results>${(r.dkimResults ?? [])
            .map((d) => `<dkim>${el('domain', d.domain)}${el('selector', d.selector)}${el('result', d.result)}</dkim>`)
            .join('')}${(r.spfResults ?? [])
            .map((d) => `<spf>${el('domain', d.domain)}${el('scope', d.scope)}${el('result', d.result)}</spf>`)
            .join('')}</auth_results>`;
      return `<record><row>${el('source_ip', r.ip)}${el('count', r.count === undefined ? 1 : r.count)}<policy_evaluated>${el('disposition', r.disposition === undefined ? 'none' : r.disposition)}${el('dkim', r.dkim === undefined ? 'pass' : r.dkim)}${el('spf', r.spf === undefined ? 'pass' : r.spf)}${reasons}</policy_evaluated></row><identifiers>${el('envelope_to', r.envelopeTo)}${el('envelope_from', r.envelopeFrom)}${el('header_from', r.headerFrom === undefined ? (s.domain ?? 'example.com') : r.headerFrom)}</identifiers>${auth}</record>`;
    })
    .join('\n');
  const ns = s.rfc9990 ? ' xmlns="urn:ietf:params:xml:ns:dmarc-2.0"' : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback${ns}>${el('version', s.version === undefined ? '1.0' : s.version)}
<report_metadata>${el('org_name', s.org === undefined ? 'receiver.example' : s.org)}${el('email', s.email === undefined ? 'dmarc@receiver.example' : s.email)}${el('report_id', s.reportId === undefined ? 'r1' : s.reportId)}${s.begin === null && s.end === null ? '' : `<date_range>${el('begin', s.begin === undefined ? 1714521600 : s.begin)}${el('end', s.end === undefined ? 1714607999 : s.end)}</date_range>`}${s.rfc9990 ? el('generator', 'corpus 1.0') : ''}</report_metadata>
<policy_published>${el('domain', s.domain === undefined ? 'example.com' : s.domain)}${el('adkim', s.adkim ?? 'r')}${el('aspf', s.aspf ?? 'r')}${el('p', s.p === undefined ? 'none' : s.p)}${el('sp', s.sp)}${s.rfc9990 ? `${el('np', 'reject')}${el('testing', 'n')}${el('discovery_method', 'treewalk')}` : el('pct', s.pct ?? 100)}</policy_published>
${rows}
</feedback>
`;
}

export interface TlsSpec {
  org?: string | null;
  reportId?: string | null;
  domain?: string;
  policyType?: string;
  successful?: number;
  failures?: { type: string; mx?: string; ip?: string; sessions: number; info?: string }[];
  begin?: string;
  end?: string;
}

/** An RFC 8460 §4.4 report; a field given as null is left out. */
export function tlsRptJson(s: TlsSpec): string {
  const failures = s.failures ?? [];
  const report: Record<string, unknown> = {
    'date-range': {
      'start-datetime': s.begin ?? '2024-05-01T00:00:00Z',
      'end-datetime': s.end ?? '2024-05-01T23:59:59Z',
    },
    'contact-info': 'smtp-tls-reporting@receiver.example',
    policies: [
      {
        policy: {
          'policy-type': s.policyType ?? 'sts',
          'policy-string': ['version: STSv1', 'mode: enforce', 'mx: mx1.example.com', 'max_age: 86400'],
          'policy-domain': s.domain ?? 'example.com',
          'mx-host': ['mx1.example.com'],
        },
        summary: {
          'total-successful-session-count': s.successful ?? 100,
          'total-failure-session-count': failures.reduce((n, f) => n + f.sessions, 0),
        },
        'failure-details': failures.map((f) => ({
          'result-type': f.type,
          'sending-mta-ip': '198.51.100.1',
          ...(f.mx ? { 'receiving-mx-hostname': f.mx } : {}),
          ...(f.ip ? { 'receiving-ip': f.ip } : {}),
          'failed-session-count': f.sessions,
          ...(f.info ? { 'additional-information': f.info } : {}),
        })),
      },
    ],
  };
  if (s.org !== null) report['organization-name'] = s.org ?? 'Receiver Inc.';
  if (s.reportId !== null) report['report-id'] = s.reportId ?? 'tls-1';
  return JSON.stringify(report, null, 2);
}

export function gzip(data: string | Buffer): Buffer {
  return gzipSync(data);
}

/** A ZIP archive of the entries (deflated unless `stored`). */
export function zip(entries: { name: string; data: string | Buffer; stored?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.from(e.data);
    const body = e.stored ? data : deflateRawSync(data);
    const name = Buffer.from(e.name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(e.stored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(e.stored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** An RFC 7489 §7.2.1.1 report message: a text part and the report attached (base64 unless `encoding` says). */
export function reportMessage(o: {
  attachment: Buffer;
  filename?: string;
  contentType?: string;
  encoding?: 'base64' | '7bit' | 'quoted-printable';
  from?: string;
  subject?: string;
  /** No multipart: the attachment is the whole body. */
  single?: boolean;
}): Buffer {
  const enc = o.encoding ?? 'base64';
  let body: string;
  if (enc === 'base64') body = o.attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  else if (enc === 'quoted-printable')
    body = o.attachment
      .toString('latin1')
      .replace(/[=\x80-\xff]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  else body = o.attachment.toString('latin1');
  const type = `${o.contentType ?? 'application/gzip'}${o.filename ? `; name="${o.filename}"` : ''}`;
  const head = [
    `From: ${o.from ?? 'noreply-dmarc@receiver.example'}`,
    'To: dmarc-rua@example.com',
    `Subject: ${o.subject ?? 'Report Domain: example.com Submitter: receiver.example Report-ID: r1'}`,
    'Date: Thu, 02 May 2024 00:00:00 +0000',
    'Message-ID: <r1@receiver.example>',
    'MIME-Version: 1.0',
  ];
  if (o.single)
    return Buffer.from(
      [...head, `Content-Type: ${type}`, `Content-Transfer-Encoding: ${enc}`, '', body, ''].join('\r\n'),
      'latin1',
    );
  return Buffer.from(
    [
      ...head,
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      'This is a multi-part message in MIME format.',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'This is an aggregate report from receiver.example.',
      '--b1',
      `Content-Type: ${type}`,
      `Content-Transfer-Encoding: ${enc}`,
      ...(o.filename ? [`Content-Disposition: attachment; filename="${o.filename}"`] : []),
      '',
      body,
      '--b1--',
      '',
    ].join('\r\n'),
    'latin1',
  );
}
