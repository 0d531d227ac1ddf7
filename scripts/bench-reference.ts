// The benchmark's yardstick: a bare Express route answering "ok", run the
// same way as the server (tsx, production mode), so ratios cancel out the
// machine's speed and noise. The targets are set against Express as it is
// usually served (app.listen, that is http.createServer(app)). With
// REFERENCE_SERVER=framecheck it is served the way FrameCheck serves itself
// (src/http/server.ts), which bare Express answers 2-3 times as fast: the
// bench reports the ratio to that one too, so the figures show what
// FrameCheck's own work costs beside what its server saves.
import { createServer } from 'node:http';
import express from 'express';
import { serverFor } from '../src/http/server.ts';

const app = express();
app.get('/', (_req, res) => {
  res.send('ok');
});
const server = process.env.REFERENCE_SERVER === 'framecheck' ? serverFor(app) : createServer(app);
server.listen(Number(process.env.PORT ?? 0), () => {
  const address = server.address();
  console.log(`serving http://localhost:${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
