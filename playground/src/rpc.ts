/**
 * Requests to a web worker as promises (serve.ts is the worker's side): each request carries an id, the worker answers with
 * the same id. The one message shape both workers speak, so the page never blocks on them.
 */
import type { Request, Response } from './protocol.js';

/** `call` posts a request and resolves with the worker's answer. */
export class WorkerClient {
  private next = 1;
  private readonly pending = new Map<number, (r: Response) => void>();

  constructor(
    readonly worker: Worker,
    /** Messages that are not answers (the training worker's progress). */
    onEvent: (data: unknown) => void = () => {},
  ) {
    worker.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as Partial<Response>;
      const done = typeof data.id === 'number' ? this.pending.get(data.id) : undefined;
      if (!done) return onEvent(e.data);
      this.pending.delete(data.id!);
      done(data as Response);
    });
  }

  call<T>(method: string, ...params: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, (r) =>
        r.error === undefined ? resolve(r.result as T) : reject(new Error(r.error)),
      );
      this.worker.postMessage({ id, method, params } satisfies Request);
    });
  }
}
