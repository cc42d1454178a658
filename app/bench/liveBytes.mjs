// Bytes the panel's live WebSocket costs: the first message (the snapshot on connect) and the bytes per push after
// it, on the wire (after per-message deflate, when the server agrees to it) and as JSON text (before compression).
//
// Runs the real service (`node app/dist/main.js --simulator`) with a fast simulator, waits until the frame ring is
// full (the panel's worst case: 50 recent pushes), then connects like a browser (the `ws` client offers
// permessage-deflate, as every browser does) through a loopback TCP relay that counts the bytes the server sends
// after its HTTP upgrade answer.
//
//   npm run build && node app/bench/liveBytes.mjs [pushes=40]
//
// Prints one line per figure and, last, one JSON line.
import { spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import WebSocket from 'ws';
import { MAIN, freePort, sleep, waitFor } from './serviceHarness.mjs';

const PUSHES = Number(process.argv[2] ?? 40);
const INTERVAL_MS = 100;
const RING = 50;

const webPort = await freePort();
const service = spawn(
  process.execPath,
  [MAIN, '--simulator', '--simulator-interval', String(INTERVAL_MS), '--web-port', String(webPort), '--log-level', 'warning'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
process.on('exit', () => service.kill('SIGKILL'));

// wait for the web server, then for the ring buffer to fill
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${webPort}/api/health`)).ok) break;
  } catch {
    if (i > 200) throw new Error('service did not start');
  }
  await sleep(100);
}
await sleep((RING + 5) * INTERVAL_MS);

/** Relay that counts server→client bytes after the end of the HTTP upgrade answer. */
let wireBytes = 0;
const relay = createServer((client) => {
  const upstream = createConnection({ host: '127.0.0.1', port: webPort });
  let head = Buffer.alloc(0);
  let upgraded = false;
  upstream.on('data', (chunk) => {
    if (!upgraded) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0) {
        upgraded = true;
        wireBytes += head.length - (end + 4);
      }
    } else wireBytes += chunk.length;
    client.write(chunk);
  });
  client.on('data', (d) => upstream.write(d));
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.on('error', () => {});
  upstream.on('error', () => {});
});
await new Promise((r) => relay.listen(0, '127.0.0.1', r));
const relayPort = relay.address().port;

const messages = [];
const ws = new WebSocket(`ws://127.0.0.1:${relayPort}/ws`, { perMessageDeflate: true });
ws.on('message', (data) => messages.push({ type: JSON.parse(String(data)).type, jsonBytes: data.length, wireAt: wireBytes }));
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
const deflate = /permessage-deflate/.test(ws.extensions);

await waitFor(() => messages.length >= 1, 'the first message');
const first = messages[0];
const firstWire = first.wireAt;
await waitFor(() => messages.filter((m) => m.type === 'push').length >= PUSHES + 1, `${PUSHES + 1} pushes`, 60_000);
ws.close();
relay.close();
service.kill('SIGTERM');

// bytes between the end of the first push message and the end of the (PUSHES+1)-th: exactly PUSHES pushes,
// with whatever health messages came in between
const pushes = messages.filter((m) => m.type === 'push');
const from = pushes[0];
const to = pushes[PUSHES];
const window = messages.slice(messages.indexOf(from) + 1, messages.indexOf(to) + 1);
const wirePerPush = Math.round((to.wireAt - from.wireAt) / PUSHES);
const jsonPerPush = Math.round(window.reduce((s, m) => s + m.jsonBytes, 0) / PUSHES);

const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
console.log(`permessage-deflate negotiated: ${deflate ? 'yes' : 'no'}`);
console.log(`first message (${first.type}): ${kb(firstWire)} on the wire, ${kb(first.jsonBytes)} JSON`);
console.log(`per push (mean of ${PUSHES}, health messages included): ${wirePerPush} B on the wire, ${jsonPerPush} B JSON`);
console.log(JSON.stringify({ deflate, firstType: first.type, firstWireBytes: firstWire, firstJsonBytes: first.jsonBytes, pushes: PUSHES, wireBytesPerPush: wirePerPush, jsonBytesPerPush: jsonPerPush }));
process.exit(0);
