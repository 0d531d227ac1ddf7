// The benchmark's yardstick: a bare Express route answering "ok", run the
// same way as the server (tsx, production mode), so ratios cancel out the
// machine's speed and noise.
import express from 'express';

const app = express();
app.get('/', (_req, res) => {
  res.send('ok');
});
const server = app.listen(Number(process.env.PORT ?? 0), () => {
  const address = server.address();
  console.log(`serving http://localhost:${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
