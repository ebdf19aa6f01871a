// One input (a file, an archive member, a message) → the reports in it: gzip and ZIP are unpacked under hard size
// caps, messages are searched for report attachments, XML is read as DMARC and JSON as TLS-RPT. Whatever cannot be
// read becomes a problem for that piece, and the rest is still read.
import { gunzipSync } from 'node:zlib';
import { parseDmarcReport, ReportFormatError } from './dmarc-parse.js';
import { looksLikeMessage, messageParts } from './mime.js';
import { parseTlsRptReport } from './tlsrpt-parse.js';
import type { ParsedReport } from './types.js';
import { XmlError } from './xml.js';
import { readZip, ZipError } from './zip.js';

export interface UnpackLimits {
  /** Largest document after decompression (one XML or JSON report). */
  maxDocumentBytes: number;
  /** Largest sum of everything unpacked from one input. */
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: UnpackLimits = { maxDocumentBytes: 16 * 2 ** 20, maxTotalBytes: 64 * 2 ** 20 };

export interface FoundReport {
  /** Where it was found: "inbox/new/1715.M1" or "reports.zip › google.com!example.com!….xml". */
  label: string;
  report: ParsedReport;
}

export type ProblemCode =
  'truncated' | 'too-large' | 'entity' | 'malformed' | 'unsupported' | 'not-a-report' | 'no-report-in-message';

export interface InputProblem {
  label: string;
  code: ProblemCode;
  message: string;
}

export interface Unpacked {
  reports: FoundReport[];
  problems: InputProblem[];
  /** The input was an email message (a Maildir file, an .eml, an mbox entry). */
  message: boolean;
}

const MAX_NESTING = 4;

export function unpackReports(data: Buffer, label: string, limits: UnpackLimits = DEFAULT_LIMITS): Unpacked {
  const out: Unpacked = { reports: [], problems: [], message: false };
  const budget = { left: limits.maxTotalBytes };
  visit(data, label, 0, limits, budget, out, true);
  return out;
}

function visit(
  data: Buffer,
  label: string,
  depth: number,
  limits: UnpackLimits,
  budget: { left: number },
  out: Unpacked,
  top: boolean,
): void {
  const problem = (code: ProblemCode, message: string): void => {
    out.problems.push({ label, code, message });
  };
  if (depth > MAX_NESTING) return problem('unsupported', 'archives nested too deeply');
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    let inner: Buffer;
    try {
      inner = gunzipSync(data, { maxOutputLength: Math.min(limits.maxDocumentBytes, budget.left) });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE')
        return problem(
          'too-large',
          `gzip unpacks to more than ${Math.min(limits.maxDocumentBytes, budget.left)} bytes`,
        );
      if (err.code === 'Z_BUF_ERROR') return problem('truncated', 'the gzip data is cut off (unexpected end)');
      return problem('malformed', `bad gzip data: ${err.message}`);
    }
    budget.left -= inner.length;
    return visit(inner, label.replace(/\.gz(ip)?$/i, ''), depth + 1, limits, budget, out, false);
  }
  if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50) {
    let entries;
    try {
      entries = readZip(data, {
        maxBytes: limits.maxDocumentBytes,
        maxTotal: budget.left,
        want: (n) => !/(^|\/)(__MACOSX\/|\.)/.test(n),
      });
    } catch (e) {
      if (!(e instanceof ZipError)) throw e;
      return problem(e.code === 'format' ? 'truncated' : e.code, e.message);
    }
    if (!entries.length) return problem('not-a-report', 'the ZIP archive holds no files');
    for (const entry of entries) {
      budget.left -= entry.data.length;
      visit(entry.data, `${label} › ${entry.name}`, depth + 1, limits, budget, out, false);
    }
    return;
  }
  const first = firstNonSpace(data);
  if (first === 0x3c /* < */ || first === 0x7b /* { */) {
    // The cap is on the document, however it arrived: a plain file or a base64 attachment is held to it as much
    // as an unpacked one (receive --reports reads strangers' attachments with a smaller cap than report).
    if (data.length > limits.maxDocumentBytes)
      return problem('too-large', `the report is ${data.length} bytes, over the ${limits.maxDocumentBytes}-byte limit`);
    if (first === 0x3c) return read(label, () => parseDmarcReport(decodeXml(data)), out);
    return read(label, () => parseTlsRptReport(data.toString('utf8')), out);
  }
  if ((top || depth <= 2) && looksLikeMessage(data)) {
    if (top) out.message = true;
    const { parts } = messageParts(data);
    const before = out.reports.length + out.problems.length;
    for (const [i, part] of parts.entries()) {
      const name = part.filename ?? `part ${i + 1} (${part.contentType})`;
      visit(part.data, `${label} › ${name}`, depth + 1, limits, budget, out, false);
    }
    if (out.reports.length + out.problems.length === before)
      problem('no-report-in-message', 'a message with no DMARC or TLS-RPT report attached');
    return;
  }
  problem('not-a-report', 'neither a DMARC aggregate report (XML), a TLS-RPT report (JSON), an archive nor a message');
}

function read(label: string, parse: () => ParsedReport, out: Unpacked): void {
  try {
    const report = parse();
    if (report.kind === 'dmarc' && report.truncated) {
      // A cut-off report would under-count silently: it is named, not aggregated.
      out.problems.push({ label, code: 'truncated', message: 'the XML ends in the middle of the report' });
      return;
    }
    out.reports.push({ label, report });
  } catch (e) {
    if (e instanceof XmlError)
      out.problems.push({ label, code: e.code === 'entity' ? 'entity' : 'malformed', message: e.message });
    else if (e instanceof ReportFormatError)
      out.problems.push({
        label,
        code: e.code === 'json' ? 'malformed' : 'not-a-report',
        message: e.message,
      });
    else throw e;
  }
}

function firstNonSpace(data: Buffer): number | undefined {
  let i = data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d)) i++;
  return data[i];
}

/** UTF-8 unless the XML declaration names a single-byte encoding (some senders write ISO-8859-1). */
function decodeXml(data: Buffer): string {
  const decl = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)/i.exec(data.toString('latin1', 0, 200));
  const enc = decl?.[1]?.toLowerCase();
  if (enc && /^(iso-8859-1|latin-?1|windows-1252|us-ascii)$/.test(enc)) return data.toString('latin1');
  return data.toString('utf8');
}
