// The receiver's TLS profile: TLS 1.2 and 1.3 only and, on TLS 1.2, only forward-secret AEAD suites (ECDHE with
// AES-GCM or ChaCha20-Poly1305: no static RSA key exchange, no CBC) — Mozilla's "intermediate" server
// configuration minus its DHE suites (Node offers DHE only with a dhparam, which we do not set).
// Renegotiation started by the client is refused.
// smtp-server's own defaults go down to TLS 1.0 ("very old SMTP clients"); Node's add CBC and static RSA ("HIGH").
import { constants } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';

export const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

export const TLS12_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

export const SERVER_TLS_PROFILE = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  // One list for both versions: Node takes the TLS 1.3 suites from it too.
  ciphers: [...TLS13_SUITES, ...TLS12_SUITES].join(':'),
  honorCipherOrder: true,
  // A renegotiation a client starts costs us a full handshake for each of its own (NCSC-NL B8; internet.nl
  // rates accepting it insufficient); Node only rate-limits it. Nothing legitimate on SMTP needs it.
  secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
} as const satisfies SecureContextOptions;
