/**
 * The language service in a web worker: the same LanguageService `nn lsp` wraps, answering
 * the editor's requests (diagnostics, hover, completion, formatting, semantic tokens for the
 * highlighting, the model diagram) off the page's thread.
 */
import { LanguageService, type Position } from '../../src/service/index.js';
import { serve } from './serve.js';

const service = new LanguageService({
  onError: (error, request) => console.error(`language service: ${request} failed`, error),
});

serve({
  diagnostics: (text: string) => service.diagnostics(text),
  hover: (text: string, at: Position) => service.hover(text, at),
  completions: (text: string, at: Position) => service.completions(text, at),
  format: (text: string) => service.format(text),
  semanticTokens: (text: string) => service.semanticTokens(text),
  diagram: (text: string) => service.diagram(text),
});
