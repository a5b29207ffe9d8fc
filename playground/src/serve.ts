/**
 * The worker's side of the page's requests (rpc.ts is the page's): each request is answered
 * with the handler's result under the request's id, or its error's message.
 */
import type { Request, Response } from './protocol.js';

/** Answers each request with `handlers[method](...params)`. */
export function serve(handlers: Record<string, (...params: never[]) => unknown>): void {
  self.addEventListener('message', (e: { data: unknown }) => {
    const { id, method, params } = e.data as Request;
    const handler = handlers[method] as ((...p: unknown[]) => unknown) | undefined;
    let response: Response;
    try {
      if (!handler) throw new Error(`unknown request '${method}'`);
      response = { id, result: handler(...params) };
    } catch (error) {
      response = { id, error: error instanceof Error ? error.message : String(error) };
    }
    self.postMessage(response);
  });
}
