// @ts-check
// The lhw extension: starts `lhc lsp` (settings `lhw.server.path` and `lhw.server.args`)
// as a language server over stdio for every `lhw` document, and restarts it when those
// settings change or on the "lhw: Restart the language server" command. Highlighting and
// editing rules are declarative (package.json, syntaxes/, language-configuration.json).
// "lhw: Show workflow graph" opens the diagram view of graph.js, fed by the server.
'use strict';

const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { createGraphView } = require('./graph');

/** @type {LanguageClient | undefined} */
let client;

/** @type {vscode.OutputChannel | undefined} */
let output;

/**
 * The command and arguments that start the server, from the settings.
 * @returns {{ command: string, args: string[] }}
 */
function serverCommand() {
  const config = vscode.workspace.getConfiguration('lhw');
  const configured = (config.get('server.path') || 'lhc').trim() || 'lhc';
  const args = config.get('server.args');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

  let command = configured;
  if (folder) {
    command = command.replace(/\$\{workspaceFolder\}/g, folder);
  }
  if (command === '~' || command.startsWith('~/')) {
    command = path.join(os.homedir(), command.slice(1));
  }
  // A bare name ("lhc") is found on PATH by the OS; a relative path names a file of the
  // workspace, e.g. "target/debug/lhc".
  const hasSeparator = command.includes('/') || command.includes(path.sep);
  if (hasSeparator && !path.isAbsolute(command) && folder) {
    command = path.resolve(folder, command);
  }
  return {
    command,
    args: Array.isArray(args) ? args.map(String) : ['lsp'],
  };
}

/**
 * Starts a client for the current settings; tells the user how to fix a server that
 * cannot start.
 */
async function start() {
  const { command, args } = serverCommand();
  output = output || vscode.window.createOutputChannel('lhw language server');
  // No `transport` on purpose: with TransportKind.stdio the client would append `--stdio`
  // to the arguments, which `lhc lsp` does not take. Without it, stdio is still used.
  const serverOptions = { command, args };
  client = new LanguageClient(
    'lhw',
    'lhw language server',
    serverOptions,
    {
      documentSelector: [
        { scheme: 'file', language: 'lhw' },
        { scheme: 'untitled', language: 'lhw' },
      ],
      outputChannel: output,
    },
  );
  try {
    await client.start();
  } catch (err) {
    const started = [command, ...args].join(' ');
    const reason = err instanceof Error ? err.message : String(err);
    client = undefined;
    const choice = await vscode.window.showErrorMessage(
      `lhw: could not start the language server \`${started}\` (${reason}). ` +
        'Install lhc (cargo install --path . in the lhw repository) or set lhw.server.path.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'lhw.server');
    }
  }
}

/** Stops the running client, if any. */
async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  const graphView = createGraphView(context, () => client);
  context.subscriptions.push(
    vscode.commands.registerCommand('lhw.showGraph', () => graphView.show()),
    vscode.commands.registerCommand('lhw.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('lhw.server')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
