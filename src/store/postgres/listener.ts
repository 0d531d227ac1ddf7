// One dedicated connection per instance that LISTENs for other instances'
// changes (a pooled connection cannot hold a LISTEN). When it drops, it
// reconnects, listens again, and reports 'all': notifications sent while it
// was away are lost, so every cached page must be treated as stale.
import pg from 'pg';

export class ChangeListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly channel: string,
    private readonly onMessage: (payload: string | 'all') => void,
  ) {}

  /** Whether notifications are being received now (while not, some may be lost). */
  get listening(): boolean {
    return this.client !== null;
  }

  async start(): Promise<void> {
    // Keepalive probes notice a connection that died silently, which would otherwise look like a quiet one.
    const client = new pg.Client({ ...this.connection, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.onMessage(message.payload);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    await client.query(`listen ${this.channel}`);
    this.client = client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.onMessage('all');
    const again = (delay: number) => {
      this.retry = setTimeout(() => {
        if (this.stopped) return;
        this.start().then(
          () => this.onMessage('all'),
          () => again(Math.min(delay * 2, 10_000)),
        );
      }, delay);
      this.retry.unref();
    };
    again(100);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}
