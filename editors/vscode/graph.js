// @ts-check
// "lhw: Show workflow graph": a webview beside the editor with the diagram of the workflow
// under the cursor, asked from the language server with its custom `lhw/graph` request
// (lsp/src/handlers/graph.rs). It follows the cursor (debounced) and the active editor, and
// refreshes on save; while the file has errors it keeps the last diagram under a banner.
'use strict';

const vscode = require('vscode');

/** How long the cursor must rest before the diagram follows it. */
const FOLLOW_DELAY_MS = 300;

class GraphView {
  /**
   * @param {() => import('vscode-languageclient/node').LanguageClient | undefined} getClient
   */
  constructor(getClient) {
    this.getClient = getClient;
    /** @type {vscode.WebviewPanel | undefined} */
    this.panel = undefined;
    /** @type {{ workflow: string, svg: string } | undefined} */
    this.last = undefined;
    /** @type {string | undefined} */
    this.shown = undefined;
    /** @type {NodeJS.Timeout | undefined} */
    this.timer = undefined;
  }

  /** Opens the view beside the active editor (or reveals it) and draws. */
  async show() {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'lhwGraph',
        'Workflow graph',
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false, retainContextWhenHidden: true },
      );
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.last = undefined;
        this.shown = undefined;
      });
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    await this.refresh(vscode.window.activeTextEditor);
  }

  /** Redraws after the cursor rests. @param {vscode.TextEditor | undefined} editor */
  follow(editor) {
    if (!this.panel) {
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh(editor);
    }, FOLLOW_DELAY_MS);
  }

  /** Asks the server for the diagram at the editor's cursor. @param {vscode.TextEditor | undefined} editor */
  async refresh(editor) {
    const panel = this.panel;
    if (!panel || !editor || editor.document.languageId !== 'lhw') {
      return;
    }
    const client = this.getClient();
    if (!client) {
      this.render(panel, undefined, 'the lhw language server is not running');
      return;
    }
    /** @type {any} */
    let result;
    try {
      result = await client.sendRequest('lhw/graph', {
        textDocument: { uri: editor.document.uri.toString() },
        position: client.code2ProtocolConverter.asPosition(editor.selection.active),
      });
    } catch (err) {
      this.render(panel, this.last, `lhw/graph failed: ${err instanceof Error ? err.message : err}`);
      return;
    }
    if (!result) {
      return;
    }
    if (typeof result.svg === 'string') {
      this.last = { workflow: result.workflow, svg: result.svg };
      this.render(panel, this.last, undefined);
    } else {
      this.render(panel, this.last, result.error || 'nothing to draw');
    }
  }

  /**
   * @param {vscode.WebviewPanel} panel
   * @param {{ workflow: string, svg: string } | undefined} graph
   * @param {string | undefined} error
   */
  render(panel, graph, error) {
    const html = page(graph, error);
    if (html === this.shown) {
      return;
    }
    this.shown = html;
    panel.title = graph ? `Graph: ${graph.workflow}` : 'Workflow graph';
    panel.webview.html = html;
  }

  dispose() {
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.panel?.dispose();
  }
}

/** @param {string} text */
function escapeHtml(text) {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * The webview's page: the SVG inline (lhc escapes every text in it), no scripts.
 * @param {{ workflow: string, svg: string } | undefined} graph
 * @param {string | undefined} error
 */
function page(graph, error) {
  const banner = error ? `<div class="error">${escapeHtml(error)}</div>` : '';
  const body = graph ? `<div class="graph">${graph.svg}</div>` : '';
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:;">
<style>
body { margin: 0; padding: 8px; background: var(--vscode-editor-background); }
.error { font-family: var(--vscode-font-family); color: var(--vscode-errorForeground); border: 1px solid var(--vscode-inputValidation-errorBorder, #be1100); padding: 6px 10px; margin-bottom: 8px; }
.graph { overflow: auto; }
.graph svg { background: #ffffff; border-radius: 6px; }
</style></head>
<body>${banner}${body}</body></html>`;
}

/**
 * Registers the view's events; the command itself is registered by extension.js.
 * @param {vscode.ExtensionContext} context
 * @param {() => import('vscode-languageclient/node').LanguageClient | undefined} getClient
 */
function createGraphView(context, getClient) {
  const view = new GraphView(getClient);
  context.subscriptions.push(
    vscode.window.onDidChangeTextEditorSelection((event) => view.follow(event.textEditor)),
    vscode.window.onDidChangeActiveTextEditor((editor) => view.follow(editor)),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      const editor = vscode.window.activeTextEditor;
      if (editor && editor.document === doc) {
        view.refresh(editor);
      }
    }),
    { dispose: () => view.dispose() },
  );
  return view;
}

module.exports = { createGraphView, page };
