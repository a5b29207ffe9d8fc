/**
 * A small Chrome DevTools Protocol client over `--remote-debugging-pipe` (JSON messages, NUL
 * separated, on file descriptors 3 and 4): enough to drive Debian's Chromium in tests — open a
 * page, evaluate script, type, take screenshots, catch downloads — with no WebSocket and no
 * browser download (puppeteer-core and playwright-core are not dependencies).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { headlessFlags } from '../chromium.js';

type Handler = (params: Record<string, unknown>, sessionId?: string) => void;

export class Browser {
  private next = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: unknown) => void; reject: (e: Error) => void }
  >();
  private readonly handlers = new Map<string, Handler[]>();
  private buffer = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const input = child.stdio[4] as Readable;
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end: number;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(this.buffer.slice(0, end)) as {
          id?: number;
          result?: unknown;
          error?: { message: string };
          method?: string;
          params?: Record<string, unknown>;
          sessionId?: string;
        };
        this.buffer = this.buffer.slice(end + 1);
        if (message.id !== undefined) {
          const p = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.error) p?.reject(new Error(message.error.message));
          else p?.resolve(message.result);
        } else if (message.method) {
          for (const h of this.handlers.get(message.method) ?? [])
            h(message.params ?? {}, message.sessionId);
        }
      }
    });
  }

  static launch(binary: string): Browser {
    const profile = mkdtempSync(join(tmpdir(), 'nn-cdp-'));
    const child = spawn(
      binary,
      [...headlessFlags, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new Browser(child, profile);
  }

  send<T = Record<string, unknown>>(
    method: string,
    params: object = {},
    sessionId?: string,
  ): Promise<T> {
    const id = this.next++;
    const out = this.child.stdio[3] as Writable;
    out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
    });
  }

  on(method: string, handler: Handler): void {
    this.handlers.set(method, [...(this.handlers.get(method) ?? []), handler]);
  }

  /** A new tab at `url`, with the page's console errors and exceptions collected. */
  async open(url: string, width: number, height: number): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', {
      url: 'about:blank',
    });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    const page = new Page(this, sessionId);
    this.on('Runtime.exceptionThrown', (p, s) => {
      if (s === sessionId) page.errors.push(JSON.stringify(p['exceptionDetails']));
    });
    this.on('Runtime.consoleAPICalled', (p, s) => {
      if (s === sessionId && p['type'] === 'error') page.errors.push(JSON.stringify(p['args']));
    });
    await page.send('Runtime.enable');
    await page.send('Page.enable');
    await page.resize(width, height);
    await page.send('Page.navigate', { url });
    return page;
  }

  close(): void {
    // Chromium's helper processes may still write to the profile as it exits: removing it is
    // retried, and a leftover temporary folder is not a test failure.
    this.child.once('exit', () => {
      try {
        rmSync(this.profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      } catch {
        // left in the system's temporary folder
      }
    });
    this.child.kill();
  }
}

export class Page {
  readonly errors: string[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
  ) {}

  send<T = Record<string, unknown>>(method: string, params: object = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  resize(width: number, height: number): Promise<unknown> {
    return this.send('Emulation.setDeviceMetricsOverride', {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: width < 600,
    });
  }

  /** The value of a script expression (awaited), as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails)
      throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  }

  /** Waits until `expression` is truthy; returns its value. */
  async waitFor<T>(expression: string, timeoutMs = 10_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<T>(expression).catch(() => undefined);
      if (value) return value;
      if (Date.now() > until)
        throw new Error(
          `timed out waiting for ${expression}; page errors: ${this.errors.join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Types text where the focus is, as a keyboard would insert it. */
  insertText(text: string): Promise<unknown> {
    return this.send('Input.insertText', { text });
  }

  async screenshot(path: string): Promise<void> {
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
    writeFileSync(path, Buffer.from(data, 'base64'));
  }
}
