// Docket: check entries in the reader's own browser.
//
// Written from the specifications, sharing no code with the log server:
//   c2sp.org/tlog-policy      the trust policy (which log key, which witnesses, what quorum)
//   c2sp.org/signed-note      note text, signature lines, key IDs, vkeys
//   c2sp.org/tlog-checkpoint  origin, tree size, root hash
//   c2sp.org/tlog-cosignature cosignature/v1 (Ed25519, timestamped)
//   c2sp.org/tlog-tiles       tile and entry-bundle paths and contents
//   RFC 6962 / RFC 9162 2.1   leaf and node hashes, inclusion paths and their verification
// Cryptography is WebCrypto's (SHA-256, Ed25519). Nothing is fetched from another host.
(function () {
  'use strict';

  const button = document.getElementById('verify-button');
  const list = document.getElementById('verify-steps');
  if (!button || !list) return;
  if (!window.crypto || !window.crypto.subtle) {
    const li = document.createElement('li');
    li.textContent = 'This browser has no WebCrypto, so it cannot check anything here; use the verifier.';
    list.appendChild(li);
    return;
  }
  button.hidden = false;

  const MAX_RESPONSE = 1 << 20; // no resource the check needs is larger
  const TIMEOUT_MS = 15000;
  const enc = new TextEncoder();

  class StepError extends Error {}

  function step(text) {
    const li = document.createElement('li');
    li.textContent = text + ' …';
    list.appendChild(li);
    return {
      ok(detail) { li.className = 'ok'; li.textContent = text + (detail ? ': ' + detail : '') + '.'; },
      fail(detail) { li.className = 'fail'; li.textContent = 'FAILED: ' + text + ': ' + detail; },
    };
  }

  // Runs one step; `fn` returns [value, detail]; the value is passed on.
  async function run(text, fn) {
    const s = step(text);
    try {
      const [value, detail] = await fn();
      s.ok(detail);
      return value;
    } catch (err) {
      s.fail(err && err.message ? err.message : String(err));
      throw new StepError(text);
    }
  }

  async function fetchBytes(path) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(path, { signal: controller.signal, cache: 'no-store', credentials: 'omit' });
      if (!response.ok) throw new Error('GET ' + path + ' answered ' + response.status);
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.length > MAX_RESPONSE) throw new Error('GET ' + path + ' is too large');
      return body;
    } catch (err) {
      if (err.name === 'AbortError') throw new Error('GET ' + path + ' timed out');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async function fetchText(path) {
    return new TextDecoder('utf-8', { fatal: true }).decode(await fetchBytes(path));
  }

  function b64(text) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('bad base64');
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  }

  // RFC 6962 2.1: leaf and interior node hashes.
  const leafHash = (entry) => sha256(concat(new Uint8Array([0]), entry));
  const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));

  async function ed25519Verify(publicKey, signature, message) {
    const key = await crypto.subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
  }

  // signed-note: key ID = SHA-256(name || 0x0A || type || key)[:4].
  async function keyId(name, type, key) {
    return (await sha256(concat(enc.encode(name + '\n'), new Uint8Array([type]), key))).slice(0, 4);
  }

  // signed-note vkey: name+hexid+base64(type || key); split on the first two '+'.
  async function parseVkey(text) {
    const a = text.indexOf('+');
    const b = text.indexOf('+', a + 1);
    if (a <= 0 || b < 0) throw new Error('malformed vkey ' + text);
    const name = text.slice(0, a);
    const id = text.slice(a + 1, b);
    const raw = b64(text.slice(b + 1));
    if (!/^[0-9a-f]{8}$/.test(id) || raw.length !== 33) throw new Error('malformed vkey ' + text);
    const type = raw[0];
    const key = raw.slice(1);
    const computed = await keyId(name, type, key);
    if (hex(computed) !== id) throw new Error('vkey ' + name + ': key ID does not match the key');
    return { name, id: computed, type, key };
  }

  // tlog-policy.
  async function parsePolicy(text) {
    const policy = { logs: [], witnesses: new Map(), groups: new Map(), quorum: undefined };
    for (const raw of text.split('\n')) {
      const f = raw.split(/[ \t]+/).filter((x) => x.length > 0);
      if (f.length === 0 || f[0].startsWith('#')) continue;
      if (f[0] === 'log' && (f.length === 2 || f.length === 3)) {
        policy.logs.push(await parseVkey(f[1]));
      } else if (f[0] === 'witness' && (f.length === 3 || f.length === 4)) {
        const key = await parseVkey(f[2]);
        if (key.type !== 0x04) throw new Error('witness ' + f[1] + ' is not a cosignature/v1 key');
        policy.witnesses.set(f[1], key);
      } else if (f[0] === 'group' && f.length >= 4) {
        const members = f.slice(3);
        for (const m of members) {
          if (!policy.witnesses.has(m) && !policy.groups.has(m)) throw new Error('group ' + f[1] + ' names unknown ' + m);
        }
        const t = f[2] === 'all' ? members.length : f[2] === 'any' ? 1 : Number(f[2]);
        if (!Number.isInteger(t) || t < 1 || t > members.length) throw new Error('group ' + f[1] + ': bad threshold');
        policy.groups.set(f[1], { threshold: t, members });
      } else if (f[0] === 'quorum' && f.length === 2 && policy.quorum === undefined) {
        if (f[1] !== 'none' && !policy.witnesses.has(f[1]) && !policy.groups.has(f[1])) throw new Error('quorum names unknown ' + f[1]);
        policy.quorum = f[1];
      } else {
        throw new Error('unreadable policy line: ' + raw);
      }
    }
    if (policy.quorum === undefined) throw new Error('the policy has no quorum line');
    if (policy.logs.length === 0) throw new Error('the policy names no log');
    return policy;
  }

  function quorumMet(policy, name, verified) {
    if (name === 'none') return true;
    if (policy.witnesses.has(name)) return verified.has(name);
    const g = policy.groups.get(name);
    return g.members.filter((m) => quorumMet(policy, m, verified)).length >= g.threshold;
  }

  // signed-note: split at the last blank line; text keeps its final newline.
  function parseNote(text) {
    const cut = text.lastIndexOf('\n\n');
    if (cut < 0) throw new Error('not a signed note');
    const body = text.slice(0, cut + 1);
    const sigs = [];
    for (const line of text.slice(cut + 2).split('\n')) {
      if (line === '') continue;
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m) throw new Error('malformed signature line');
      const raw = b64(m[2]);
      if (raw.length < 5) throw new Error('short signature');
      sigs.push({ name: m[1], id: raw.slice(0, 4), sig: raw.slice(4) });
    }
    const lines = body.split('\n');
    if (lines.length < 4) throw new Error('checkpoint has fewer than three lines');
    const size = lines[1];
    if (!/^(0|[1-9][0-9]*)$/.test(size) || Number(size) > Number.MAX_SAFE_INTEGER) throw new Error('bad tree size');
    const root = b64(lines[2]);
    if (root.length !== 32) throw new Error('root is not 32 bytes');
    return { body, origin: lines[0], size: Number(size), root, sigs };
  }

  // tlog-tiles index path: groups of three digits, all but the last prefixed by x.
  function tilePath(n) {
    let s = String(n);
    while (s.length % 3 !== 0) s = '0' + s;
    const groups = s.match(/.{3}/g);
    return groups.map((g, i) => (i < groups.length - 1 ? 'x' + g : g)).join('/');
  }

  function makeTiles(size) {
    const cache = new Map();
    async function tile(level, n) {
      const key = level + '/' + n;
      if (!cache.has(key)) {
        const count = Math.floor(size / Math.pow(256, level)); // hashes at this level
        const width = Math.min(256, count - n * 256);
        if (width <= 0) throw new Error('tile ' + key + ' is outside the checkpoint');
        const path = '/tile/' + level + '/' + tilePath(n) + (width < 256 ? '.p/' + width : '');
        cache.set(key, fetchBytes(path).then((bytes) => {
          if (bytes.length !== width * 32) throw new Error(path + ' has ' + bytes.length + ' bytes, not ' + width * 32);
          return bytes;
        }));
      }
      return cache.get(key);
    }
    // Hash of the perfect subtree of 2^level leaves at position index (tlog-tiles 7.4).
    async function perfect(level, index) {
      if (level % 8 === 0) {
        const t = await tile(level / 8, Math.floor(index / 256));
        const at = (index % 256) * 32;
        return t.slice(at, at + 32);
      }
      return nodeHash(await perfect(level - 1, 2 * index), await perfect(level - 1, 2 * index + 1));
    }
    // MTH(D[lo:hi]) (RFC 6962 2.1).
    async function mth(lo, hi) {
      const n = hi - lo;
      if ((n & (n - 1)) === 0 && lo % n === 0) return perfect(Math.log2(n), lo / n);
      let k = 1;
      while (k * 2 < n) k *= 2;
      return nodeHash(await mth(lo, lo + k), await mth(lo + k, hi));
    }
    // PATH(m, D[lo:hi]), bottom-up (RFC 6962 2.1.1).
    async function path(m, lo, hi) {
      const n = hi - lo;
      if (n === 1) return [];
      let k = 1;
      while (k * 2 < n) k *= 2;
      if (m - lo < k) return (await path(m, lo, lo + k)).concat([await mth(lo + k, hi)]);
      return (await path(m, lo + k, hi)).concat([await mth(lo, lo + k)]);
    }
    return { perfect, path };
  }

  // RFC 9162 2.1.3.2: root from a leaf hash and an inclusion path.
  async function rootFromPath(index, size, leaf, proof) {
    if (index >= size) throw new Error('index outside the tree');
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const c of proof) {
      if (sn === 0) throw new Error('proof too long');
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(c, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await nodeHash(r, c);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error('proof too short');
    return r;
  }

  async function entryAt(index, size) {
    const n = Math.floor(index / 256);
    const width = Math.min(256, size - n * 256);
    const p = '/tile/entries/' + tilePath(n) + (width < 256 ? '.p/' + width : '');
    const bundle = await fetchBytes(p);
    let at = 0;
    for (let i = 0; i < width; i++) {
      if (at + 2 > bundle.length) throw new Error(p + ' ends early');
      const len = (bundle[at] << 8) | bundle[at + 1];
      if (at + 2 + len > bundle.length) throw new Error(p + ' ends early');
      if (i === index % 256) return { bundlePath: p, entry: bundle.slice(at + 2, at + 2 + len) };
      at += 2 + len;
    }
    throw new Error(p + ' does not hold entry ' + index);
  }

  async function verify() {
    button.disabled = true;
    list.textContent = '';
    const indexes = (button.dataset.indexes || '').split(' ').filter((x) => x !== '').map(Number);
    const shown = button.dataset.entry || '';
    try {
      const policy = await run('Download the trust policy from /policy and read it', async () => {
        const p = await parsePolicy(await fetchText('/policy'));
        return [p, 'log ' + p.logs.map((l) => l.name).join(', ') + '; ' + p.witnesses.size + ' witness(es); quorum ' + p.quorum];
      });
      const note = await run('Download the latest checkpoint from /checkpoint', async () => {
        const n = parseNote(await fetchText('/checkpoint'));
        return [n, 'tree size ' + n.size + ', root ' + hex(n.root).slice(0, 16) + '…'];
      });
      await run("Check the log's Ed25519 signature on the checkpoint", async () => {
        const log = policy.logs.find((l) => l.name === note.origin && l.type === 0x01);
        if (!log) throw new Error('the policy has no Ed25519 key for origin ' + note.origin);
        const line = note.sigs.find((s) => s.name === log.name && equal(s.id, log.id));
        if (!line) throw new Error('the checkpoint has no signature by ' + log.name);
        if (line.sig.length !== 64 || !(await ed25519Verify(log.key, line.sig, enc.encode(note.body)))) {
          throw new Error('the signature by ' + log.name + ' does not verify');
        }
        return [null, 'signed by ' + log.name];
      });
      await run('Check the witnesses\u2019 cosignatures against the policy\u2019s quorum', async () => {
        const verified = new Set();
        const times = [];
        for (const [name, w] of policy.witnesses) {
          const line = note.sigs.find((s) => s.name === w.name && equal(s.id, w.id));
          if (!line) continue;
          if (line.sig.length !== 72) throw new Error('cosignature by ' + name + ' has the wrong length');
          let t = 0n;
          for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(line.sig[i]);
          const msg = enc.encode('cosignature/v1\ntime ' + t.toString() + '\n' + note.body);
          if (!(await ed25519Verify(w.key, line.sig.slice(8), msg))) throw new Error('the cosignature by ' + name + ' does not verify');
          verified.add(name);
          times.push(name + ' at ' + new Date(Number(t) * 1000).toISOString());
        }
        if (!quorumMet(policy, policy.quorum, verified)) {
          throw new Error('quorum ' + policy.quorum + ' not met: verified ' + (times.join(', ') || 'none'));
        }
        return [null, times.length ? 'cosigned by ' + times.join(', ') : 'the policy requires no cosignature'];
      });
      const tiles = makeTiles(note.size);
      for (const index of indexes) {
        if (!(index < note.size)) {
          await run('Entry ' + index, async () => { throw new Error('not in the checkpoint\u2019s tree of size ' + note.size); });
        }
        const found = await run('Entry ' + index + ': download its entry bundle', async () => {
          const e = await entryAt(index, note.size);
          return [e, e.bundlePath + ', ' + e.entry.length + ' bytes'];
        });
        if (shown && indexes.length === 1) {
          await run('Entry ' + index + ': compare it with the entry shown on this page', async () => {
            if (!equal(b64(shown), found.entry)) throw new Error('the page shows different bytes than the log holds');
            return [null, 'identical'];
          });
        }
        const leaf = await leafHash(found.entry);
        await run('Entry ' + index + ': recompute its leaf hash and find it in the level-0 tile', async () => {
          const inTile = await tiles.perfect(0, index);
          if (!equal(leaf, inTile)) throw new Error('SHA-256(0x00 || entry) is ' + hex(leaf).slice(0, 16) + '…, the tile holds ' + hex(inTile).slice(0, 16) + '…');
          return [null, hex(leaf).slice(0, 16) + '…'];
        });
        await run('Entry ' + index + ': recompute the inclusion proof from the tiles and check it against the signed root', async () => {
          const proof = await tiles.path(index, 0, note.size);
          const root = await rootFromPath(index, note.size, leaf, proof);
          if (!equal(root, note.root)) throw new Error('the proof leads to root ' + hex(root).slice(0, 16) + '…, not the checkpoint\u2019s ' + hex(note.root).slice(0, 16) + '…');
          return [null, proof.length + ' hashes lead to the signed root'];
        });
      }
      const done = document.createElement('li');
      done.className = 'ok';
      done.id = 'verify-result';
      done.textContent = 'Every step succeeded.';
      list.appendChild(done);
    } catch (err) {
      const failed = document.createElement('li');
      failed.className = 'fail';
      failed.id = 'verify-result';
      failed.textContent = 'Verification failed at: ' + (err instanceof StepError ? err.message : String(err));
      list.appendChild(failed);
    } finally {
      button.disabled = false;
    }
  }

  button.addEventListener('click', verify);
})();
