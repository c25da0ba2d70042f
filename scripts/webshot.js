// Opens a page in a running headless Chromium over the DevTools protocol, waits, prints the
// console and the title, and saves a screenshot: a manual check of the web page until the
// test suite drives Chromium itself. Usage, with chromium --headless=new --no-sandbox
// --enable-unsafe-swiftshader --use-angle=swiftshader --remote-debugging-port=PORT running:
// node --experimental-websocket scripts/webshot.js PORT URL SECONDS OUT.png
const [port, url, seconds, out] = process.argv.slice(2);
const fs = require('fs');
(async () => {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/new?${encodeURIComponent(url)}`, {method: 'PUT'})).json();
  const ws = new WebSocket(targets.webSocketDebuggerUrl);
  let id = 0; const pending = {};
  const send = (method, params = {}) => new Promise((res) => { const i = ++id; pending[i] = res; ws.send(JSON.stringify({id: i, method, params})); });
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && pending[msg.id]) { pending[msg.id](msg.result); delete pending[msg.id]; }
    if (msg.method === 'Runtime.consoleAPICalled') console.log('console:', msg.params.args.map(a => a.value).join(' '));
    if (msg.method === 'Runtime.exceptionThrown') console.log('exception:', JSON.stringify(msg.params.exceptionDetails.exception && msg.params.exceptionDetails.exception.description));
  };
  await new Promise((r) => ws.onopen = r);
  await send('Runtime.enable');
  await send('Page.enable');
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const t = await send('Runtime.evaluate', {expression: 'document.title'});
  console.log('title:', t.result.value);
  const shot = await send('Page.captureScreenshot', {format: 'png'});
  fs.writeFileSync(out, Buffer.from(shot.data, 'base64'));
  process.exit(0);
})();
