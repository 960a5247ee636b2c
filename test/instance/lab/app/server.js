// The app: answers every path with 200 (500 while /var/lib/lab-app/unhealthy exists); /env shows
// what the process got (environment, user, the build's record) for the lab's assertions.
const fs = require('fs');
const http = require('http');
const os = require('os');
const port = Number(process.env.PORT || 8080);
http.createServer((req, res) => {
  if (fs.existsSync('/var/lib/lab-app/unhealthy')) {
    res.writeHead(500);
    res.end('unhealthy\n');
    return;
  }
  if (req.url === '/env') {
    let build = null;
    try { build = JSON.parse(fs.readFileSync(`${__dirname}/dist/build.json`, 'utf-8')); } catch { /* no build */ }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ env: process.env, user: os.userInfo().username, pid: process.pid, build }));
    return;
  }
  res.writeHead(200);
  res.end('ok\n');
}).listen(port, () => console.log(`listening on ${port}`));
