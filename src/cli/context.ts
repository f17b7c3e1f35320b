// What every command needs: the resolved settings and a client that starts a daemon when none answers.
import type { Command } from 'commander';
import { Client } from './client.js';
import { ensureDaemon } from './daemon-launcher.js';
import { resolveSettings, type Settings } from './settings.js';

export class CliContext {
  private cached?: Client;

  constructor(private readonly program: Command) {}

  settings(): Settings {
    return resolveSettings(this.program.opts());
  }

  async client(): Promise<Client> {
    if (!this.cached) {
      const settings = this.settings();
      this.cached = new Client({ socketPath: settings.socketPath, ensureDaemon: () => ensureDaemon(settings) });
    }
    return this.cached;
  }
}
