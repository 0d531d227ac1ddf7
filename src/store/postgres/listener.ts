// One dedicated connection per instance that LISTENs for other instances'
// changes (a pooled connection cannot hold a LISTEN). When it drops, it
// reconnects, listens again, and reports 'all': notifications sent while it
// was away are lost, so every cached page must be treated as stale.
import pg from 'pg';

export class ChangeListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  /** A connection being made (at start or to reconnect), which stop() waits for. */
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly channel: string,
    private readonly onMessage: (payload: string | 'all') => void,
    /** how a connection is made (tests hold one back to stop the listener while it connects) */
    private readonly makeClient: (config: pg.ClientConfig) => pg.Client = (config) => new pg.Client(config),
  ) {}

  /** Whether notifications are being received now (while not, some may be lost). */
  get listening(): boolean {
    return this.client !== null;
  }

  start(): Promise<void> {
    const connecting = this.connect().finally(() => {
      if (this.connecting === connecting) this.connecting = null;
    });
    this.connecting = connecting;
    return connecting;
  }

  private async connect(): Promise<void> {
    // Keepalive probes notice a connection that died silently, which would otherwise look like a quiet one.
    const client = this.makeClient({ ...this.connection, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.onMessage(message.payload);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
    } catch (error) {
      // Not awaited: a client that never connected may never report its end.
      client.end().catch(() => {});
      throw error;
    }
    if (this.stopped) {
      // stop() came while this connection was being made (a reconnect after a
      // drop): nobody else would end it, and it would keep the process alive.
      await client.end().catch(() => {});
      return;
    }
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
          () => {
            if (!this.stopped) this.onMessage('all');
          },
          () => again(Math.min(delay * 2, 10_000)),
        );
      }, delay);
      this.retry.unref();
    };
    again(100);
  }

  /** Ends the connection, and one still being made once it is made: nothing is left open. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    await this.connecting?.catch(() => {});
  }
}
