// DNS over UDP (RFC 1035 §4.2.1) through a small pool of long-lived sockets, one set per server, instead of a
// socket per query: opening and closing a socket costs more CPU than the exchange itself at batch rates.
//
// Forgery resistance (RFC 5452) with shared sockets: each socket is connected to one server, so the kernel drops
// datagrams from any other address/port and reports ICMP port unreachable; every reply is still checked for the
// server's address and port, the query's id and its question (§9.1, §4). Ids are random and unique among the
// queries in flight on a socket, so a reply matches at most one query; anything unmatched is ignored.
// The trade-off (§9.2, §10): one port per query gives an off-path attacker 16 bits of port to guess on top of the
// 16-bit id for every query; a long-lived port, once learnt (e.g. by seeing one query), leaves only the id. So
// sockets are recycled after RECYCLE_QUERIES queries or RECYCLE_MS, whichever comes first: the source port still
// changes, the window a learnt port is useful for is short, and the pool keeps several random ports in use at once.
// A stub resolver talks to its (usually nearby) recursive resolver; the forgery that matters is upstream of it.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { randomFillSync } from 'node:crypto';
import { isIP } from 'node:net';
import { decodeMessage, isReplyTo, type DnsMessage, type EncodedQuery } from './codec.js';
import { noReply, type DnsServerAddress, type ExchangeOptions, type TransportResult } from './transport-common.js';
import { formatServer, sameAddress, stripScope } from './transport-udp.js';

export interface UdpPoolOptions {
  /** Sockets per server at most (default 8). More spread the 16-bit id space and the kernel's receive buffers. */
  maxSockets?: number;
  /** Queries in flight on one socket before the pool opens another (default 64). */
  perSocket?: number;
  /** A socket takes no new queries after this many (default 2000)… */
  recycleQueries?: number;
  /** …or after this long (ms, default 5000); it closes once its last query is done. */
  recycleMs?: number;
  /** Receive buffer per socket (bytes): replies arriving while the event loop is busy wait here, not on the floor. */
  recvBufferSize?: number;
  /** Queries in flight to one server at most (default 128); more wait in line. A burst of thousands of datagrams
   *  overflows the server's receive buffer (212992 bytes by default on Linux: ~270 small queries) and the lost ones
   *  cost a whole timeout each; a window keeps the server busy without that. It caps a remote server at 128/RTT
   *  queries a second (6,400/s at 20 ms), above what public resolvers accept from one client anyway. */
  maxInFlight?: number;
}

export interface UdpPoolStats {
  /** Sockets open now / ever opened. */
  open: number;
  opened: number;
  inFlight: number;
}

export interface UdpPool {
  query(server: DnsServerAddress, query: EncodedQuery, opts: ExchangeOptions): Promise<TransportResult>;
  stats(): UdpPoolStats;
  /** Ends every query in flight ('aborted') and closes every socket. The pool can be used again afterwards. */
  close(): void;
}

const DEFAULTS = {
  maxSockets: 8,
  perSocket: 64,
  maxInFlight: 128,
  recycleQueries: 2000,
  recycleMs: 5000,
  recvBufferSize: 1 << 20,
};

interface Pending {
  query: EncodedQuery;
  start: number;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve: (r: TransportResult) => void;
  /** Replies we had to ignore; if nothing good arrives they explain the failure better than "timeout". */
  undecodable?: string;
  mismatched: number;
}

interface PooledSocket {
  socket: Socket;
  /** Queries in flight by id: ids are unique per socket, so a reply can belong to one query at most. */
  pending: Map<number, Pending>;
  connected: boolean;
  /** Queries waiting for connect() to finish before they go out. */
  queue: Outgoing[];
  used: number;
  born: number;
  retired: boolean;
  closed: boolean;
}

/** A TransportResult before its time is added. */
type Outcome =
  | { kind: 'response'; message: DnsMessage; size: number }
  | { kind: 'timeout' | 'malformed' | 'error' | 'aborted'; error: string };

interface Waiting {
  query: EncodedQuery;
  opts: ExchangeOptions;
  resolve: (r: TransportResult) => void;
  onAbort: (() => void) | undefined;
}

interface Outgoing {
  set: ServerSet;
  ps: PooledSocket;
  id: number;
  p: Pending;
}

interface ServerSet {
  server: DnsServerAddress;
  family: 4 | 6;
  /** Sockets taking queries. */
  sockets: PooledSocket[];
  /** Retired sockets waiting for their last replies before they close. */
  draining: PooledSocket[];
  /** Round-robin position. */
  next: number;
  /** Queries sent and not yet done, and those waiting for a place in the window. */
  active: number;
  waiting: Waiting[];
}

export function createUdpPool(o: UdpPoolOptions = {}): UdpPool {
  const cfg = { ...DEFAULTS, ...o };
  const servers = new Map<string, ServerSet>();
  // The same server object comes with every query of a resolver: skip formatting its key each time.
  let byObject = new WeakMap<DnsServerAddress, ServerSet>();
  let opened = 0;
  // Random ids come from a block of random bytes refilled as it runs out (one syscall per 4096 ids).
  const ids = new Uint16Array(4096);
  let idPos = ids.length;
  const randomId = (): number => {
    if (idPos === ids.length) {
      randomFillSync(ids);
      idPos = 0;
    }
    return ids[idPos++]!;
  };

  function open(set: ServerSet): PooledSocket {
    const socket = createSocket({ type: set.family === 6 ? 'udp6' : 'udp4', recvBufferSize: cfg.recvBufferSize });
    const ps: PooledSocket = {
      socket,
      pending: new Map(),
      connected: false,
      queue: [],
      used: 0,
      born: performance.now(),
      retired: false,
      closed: false,
    };
    opened++;
    // Idle sockets must not keep a CLI process alive; a query in flight keeps it alive through its timer.
    socket.unref();
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => onMessage(set, ps, msg, rinfo));
    // ICMP port unreachable and the like arrive here on a connected socket: only this socket's queries were
    // sent to that server, so they all fail, and nothing else does.
    socket.on('error', (e) => fail(set, ps, e.message));
    // connect() binds a random port and lets the kernel filter and report errors for this one peer.
    socket.connect(set.server.port, set.server.host, () => {
      if (ps.closed) return;
      ps.connected = true;
      for (const d of ps.queue.splice(0)) send(d);
    });
    set.sockets.push(ps);
    return ps;
  }

  // Datagrams asked for in one turn of the event loop go out together at its end: back to back, so a server that
  // was asleep is woken once for the lot instead of once per query (on loopback the wake-up is most of a send's cost).
  let outbox: Outgoing[] = [];
  const flush = () => {
    const batch = outbox;
    outbox = [];
    for (const d of batch) {
      // Ended (timeout, abort, close) before it went out: nothing to send.
      if (d.ps.closed || d.ps.pending.get(d.id) !== d.p) continue;
      if (!d.ps.connected) {
        d.ps.queue.push(d);
        continue;
      }
      d.ps.socket.send(d.p.query.bytes, (e) => {
        if (e) finish(d.set, d.ps, d.id, { kind: 'error', error: e.message });
      });
    }
  };
  function send(d: Outgoing): void {
    if (!outbox.length) setImmediate(flush);
    outbox.push(d);
  }

  /** A socket with room, round robin over the live ones; a new one when all are busy, up to maxSockets. */
  function pick(set: ServerSet): PooledSocket {
    const now = performance.now();
    const live = set.sockets;
    for (let i = live.length - 1; i >= 0; i--) {
      const ps = live[i]!;
      if (ps.used >= cfg.recycleQueries || now - ps.born >= cfg.recycleMs) retire(set, ps);
    }
    for (let i = 0; i < live.length; i++) {
      const ps = live[(set.next + i) % live.length]!;
      if (ps.pending.size < cfg.perSocket) {
        set.next = (set.next + i + 1) % live.length;
        return ps;
      }
    }
    if (live.length < cfg.maxSockets) return open(set);
    // All busy and no more sockets allowed: the emptiest (the window keeps this far below the 65536 ids).
    return live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  function retire(set: ServerSet, ps: PooledSocket): void {
    ps.retired = true;
    remove(set.sockets, ps);
    if (ps.pending.size === 0) close(set, ps);
    else set.draining.push(ps);
  }

  function close(set: ServerSet, ps: PooledSocket): void {
    if (ps.closed) return;
    ps.closed = true;
    ps.retired = true;
    ps.socket.close();
    remove(set.sockets, ps);
    remove(set.draining, ps);
  }

  function finish(set: ServerSet, ps: PooledSocket, id: number, r: Outcome): void {
    const p = ps.pending.get(id);
    if (!p) return;
    ps.pending.delete(id);
    clearTimeout(p.timer);
    if (p.onAbort) p.signal!.removeEventListener('abort', p.onAbort);
    if (ps.retired && ps.pending.size === 0) close(set, ps);
    // Each outcome is a fresh object: its time is added to it (a spread copy is a slow path in V8, per query).
    const result = r as TransportResult;
    result.ms = performance.now() - p.start;
    p.resolve(result);
    release(set);
  }

  function fail(set: ServerSet, ps: PooledSocket, error: string): void {
    // Out of the rotation first: the queries its failures let through must go to another socket.
    ps.retired = true;
    remove(set.sockets, ps);
    for (const id of [...ps.pending.keys()]) finish(set, ps, id, { kind: 'error', error });
    close(set, ps);
  }

  function onMessage(set: ServerSet, ps: PooledSocket, msg: Buffer, rinfo: RemoteInfo): void {
    // The kernel filters a connected socket already; this check keeps holding if that ever changes.
    if (!sameAddress(rinfo.address, set.server.host) || rinfo.port !== set.server.port)
      return blame(ps, msg, undefined);
    const d = decodeMessage(msg);
    if (!d.ok) return blame(ps, msg, d.error);
    const p = ps.pending.get(d.message.id);
    if (!p || !isReplyTo(d.message, p.query)) return blame(ps, msg, undefined);
    finish(set, ps, d.message.id, { kind: 'response', message: d.message, size: msg.length });
  }

  /** An ignored datagram counts against the query whose id it carries, else against every query on the socket. */
  function blame(ps: PooledSocket, msg: Buffer, undecodable: string | undefined): void {
    const byId = msg.length >= 2 ? ps.pending.get(msg.readUInt16BE(0)) : undefined;
    for (const p of byId ? [byId] : ps.pending.values()) {
      if (undecodable) p.undecodable = undecodable;
      else p.mismatched++;
    }
  }

  function query(server: DnsServerAddress, q: EncodedQuery, opts: ExchangeOptions): Promise<TransportResult> {
    let set = byObject.get(server);
    // Only a server met for the first time needs its address checked: one that is not an IP is never remembered.
    if (!set) {
      const family = isIP(stripScope(server.host));
      if (family === 0)
        return Promise.resolve({ kind: 'error', error: `'${server.host}' is not an IP address`, ms: 0 });
      const key = formatServer(server);
      set = servers.get(key);
      if (!set)
        servers.set(
          key,
          (set = { server, family: family as 4 | 6, sockets: [], draining: [], next: 0, active: 0, waiting: [] }),
        );
      byObject.set(server, set);
    }
    if (opts.signal?.aborted) return Promise.resolve({ kind: 'aborted', error: 'aborted', ms: 0 });
    const s = set;
    return new Promise((resolve) => {
      if (s.active < cfg.maxInFlight) return dispatch(s, q, opts, resolve);
      // The server's window is full: wait in line (the wire timeout starts when the query is sent).
      const w: Waiting = { query: q, opts, resolve, onAbort: undefined };
      if (opts.signal) {
        w.onAbort = () => {
          const i = s.waiting.indexOf(w);
          if (i >= 0) s.waiting.splice(i, 1);
          resolve({ kind: 'aborted', error: 'aborted', ms: 0 });
        };
        opts.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      s.waiting.push(w);
    });
  }

  function dispatch(
    set: ServerSet,
    q: EncodedQuery,
    opts: ExchangeOptions,
    resolve: (r: TransportResult) => void,
  ): void {
    set.active++;
    const ps = pick(set);
    // The caller's id may already be in flight on this socket: then a fresh one, written into a copy of the bytes.
    let id = q.id;
    while (ps.pending.has(id)) id = randomId();
    let mine = q;
    if (id !== q.id) {
      const copy = Buffer.from(q.bytes);
      copy.writeUInt16BE(id, 0);
      mine = { ...q, id, bytes: copy };
    }
    ps.used++;
    // A query that waited in line has only what is left before its question's deadline.
    const wait =
      opts.deadline === undefined ? opts.timeoutMs : Math.min(opts.timeoutMs, opts.deadline - performance.now());
    // libuv measures a timer from its loop time, cached at the start of the turn and so up to a busy turn's length
    // old: a timer can fire before performance.now() reaches its end. Until it has, wait out the rest, so a query
    // bound by its question's deadline ends at the deadline, not before it (the next in line must find it passed).
    const start = performance.now();
    const onTimer = (): void => {
      const left = start + wait - performance.now();
      if (left > 0) p.timer = setTimeout(onTimer, left);
      else finish(set, ps, id, noReply(opts.timeoutMs, p.undecodable, p.mismatched));
    };
    const p: Pending = {
      query: mine,
      start,
      signal: opts.signal,
      onAbort: undefined,
      resolve,
      mismatched: 0,
      timer: setTimeout(onTimer, wait),
    };
    if (opts.signal) {
      p.onAbort = () => finish(set, ps, id, { kind: 'aborted', error: 'aborted' });
      opts.signal.addEventListener('abort', p.onAbort, { once: true });
    }
    ps.pending.set(id, p);
    send({ set, ps, id, p });
  }

  /** A query is done: its place in the server's window goes to the next in line. */
  function release(set: ServerSet): void {
    set.active--;
    while (set.active < cfg.maxInFlight && set.waiting.length) {
      const w = set.waiting.shift()!;
      if (w.onAbort) w.opts.signal!.removeEventListener('abort', w.onAbort);
      // Its signal may have fired in the same turn, before its own listener ran: then it never goes out; nor when
      // its question's deadline passed while it waited (a silent server holds the window for whole timeouts).
      if (w.opts.signal?.aborted) w.resolve({ kind: 'aborted', error: 'aborted', ms: 0 });
      else if (w.opts.deadline !== undefined && w.opts.deadline <= performance.now())
        w.resolve({ ...noReply(w.opts.timeoutMs, undefined, 0), ms: 0 });
      else dispatch(set, w.query, w.opts, w.resolve);
    }
  }

  return {
    query,
    stats() {
      let open = 0;
      let inFlight = 0;
      for (const set of servers.values()) {
        open += set.sockets.length + set.draining.length;
        for (const ps of [...set.sockets, ...set.draining]) inFlight += ps.pending.size;
      }
      return { open, opened, inFlight };
    },
    close() {
      for (const set of servers.values()) {
        for (const w of set.waiting.splice(0)) {
          if (w.onAbort) w.opts.signal!.removeEventListener('abort', w.onAbort);
          w.resolve({ kind: 'aborted', error: 'aborted', ms: 0 });
        }
        for (const ps of [...set.sockets, ...set.draining]) {
          ps.retired = true;
          for (const id of [...ps.pending.keys()]) finish(set, ps, id, { kind: 'aborted', error: 'aborted' });
          close(set, ps);
        }
      }
      servers.clear();
      byObject = new WeakMap();
    },
  };
}

function remove<T>(list: T[], x: T): void {
  const i = list.indexOf(x);
  if (i >= 0) list.splice(i, 1);
}
