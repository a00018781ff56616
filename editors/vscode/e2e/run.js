// @ts-check
// The lhw extension in a real VS Code: code-server (VS Code's own workbench, served to a
// browser) with the extension installed from the built .vsix, driven by Playwright through
// Chromium. It opens examples/hello.lhw in a throwaway copy of the workspace and checks in
// the editor's UI (the DOM VS Code renders, not the extension's API) that:
//   1. the TextMate grammar and semantic tokens colour the text (distinct token colours),
//   2. hover on a task call shows the task's signature,
//   3. go to definition (F12) moves the cursor to the task's declaration,
//   4. "lhw: Show workflow graph" opens a webview holding the server's SVG diagram,
//   5. a broken line gets a squiggle and the Problems panel lists the diagnostic with its code,
//   6. "Format Document" rewrites a badly laid out file into `lhc fmt`'s layout.
// Each step leaves a screenshot in the output directory.
//
// Environment (tests/vscode.rs sets it):
//   LHW_VSCODE_LHC     the lhc binary the extension starts (`lhw.server.path`), required
//   LHW_VSCODE_VSIX    a built extension package (default: packaged from editors/vscode
//                      into the scratch directory with its locked @vscode/vsce)
//   LHW_VSCODE_OUT     where the screenshots go (default <repo>/out/vscode)
//   LHW_CHROMIUM       the Chromium binary (default: chromium or chromium-browser on PATH)
//   LHW_VSCODE_HEADED  set to 1 to watch the browser
// Exit code 0 when every check passed, 1 otherwise (the reason on stderr).
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const here = __dirname;
const repo = path.resolve(here, '..', '..', '..');
/** How long one UI wait may take before the step fails. */
const STEP_MS = 45_000;
/** The whole run, from code-server's start to the last screenshot. */
const RUN_MS = 200_000;

/** @param {string} message */
function fail(message) {
  throw new Error(message);
}

/** @param {string} name @returns {string | undefined} */
function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

function chromiumBinary() {
  const configured = process.env.LHW_CHROMIUM;
  if (configured) {
    return path.isAbsolute(configured) ? configured : onPath(configured) || configured;
  }
  const found = onPath('chromium') || onPath('chromium-browser');
  if (!found) {
    fail('Chromium not found: run `bash scripts/setup-browser.sh` or set LHW_CHROMIUM');
  }
  return /** @type {string} */ (found);
}

function settings() {
  const lhc = process.env.LHW_VSCODE_LHC;
  if (!lhc || !fs.existsSync(lhc)) {
    fail(`LHW_VSCODE_LHC must name the lhc binary (got ${JSON.stringify(lhc)})`);
  }
  const vsix = process.env.LHW_VSCODE_VSIX;
  if (vsix && !fs.existsSync(vsix)) {
    fail(`LHW_VSCODE_VSIX=${vsix} does not exist`);
  }
  const vsce = path.join(here, '..', 'node_modules', '.bin', 'vsce');
  if (!vsix && !fs.existsSync(vsce)) {
    fail(`${vsce} does not exist: run \`bash scripts/setup-vscode.sh\` (npm ci in editors/vscode)`);
  }
  const codeServer = path.join(here, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(codeServer)) {
    fail(`${codeServer} does not exist: run \`bash scripts/setup-vscode.sh\``);
  }
  return {
    lhc: /** @type {string} */ (lhc),
    vsix,
    vsce,
    codeServer,
    chromium: chromiumBinary(),
    out: process.env.LHW_VSCODE_OUT || path.join(repo, 'out', 'vscode'),
  };
}

/**
 * Runs a command to completion; fails with its output when it does not exit 0.
 * @param {string} command @param {string[]} args @param {{ input?: string, cwd?: string }} [opts]
 */
function run(command, args, opts = {}) {
  const result = childProcess.spawnSync(command, args, {
    input: opts.input,
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) {
    fail(
      `\`${[command, ...args].join(' ')}\` failed (${result.error || `exit ${result.status}`}):\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * Starts code-server on a free port (it binds port 0 and prints the address it got).
 * @returns {Promise<{ url: string, child: childProcess.ChildProcess, log: () => string }>}
 */
function startCodeServer(/** @type {string} */ codeServer, /** @type {string} */ scratch) {
  const args = [
    '--config', path.join(scratch, 'config.yaml'),
    '--bind-addr', '127.0.0.1:0',
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', path.join(scratch, 'user-data'),
    '--extensions-dir', path.join(scratch, 'extensions'),
    path.join(scratch, 'workspace'),
  ];
  const child = childProcess.spawn(codeServer, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own (code-server, its extension host, file watcher and lhc),
    // so that stopping it leaves none of them behind.
    detached: true,
  });
  // Killed from outside (tests/vscode.rs's time limit), take code-server's group along.
  process.once('SIGTERM', () => {
    killGroup(child, 'SIGKILL');
    process.exit(1);
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`code-server did not report its address in 60 s:\n${output}`)),
      60_000,
    );
    /** @param {Buffer} chunk */
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], child, log: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code}) before serving:\n${output}`));
    });
  });
}

/**
 * Signals code-server's process group.
 * @param {childProcess.ChildProcess} child @param {NodeJS.Signals} signal
 */
function killGroup(child, signal) {
  if (child.pid !== undefined) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone
    }
  }
}

/**
 * Stops code-server and waits for it; then kills what is left of its group (its file
 * watcher outlives it otherwise).
 * @param {childProcess.ChildProcess} child
 */
async function stopCodeServer(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  killGroup(child, 'SIGKILL');
}

/** A badly laid out copy of a canonical file: indentation and spacing destroyed. @param {string} text */
function mangle(text) {
  return text
    .split('\n')
    .map((line) => line.trim())
    .map((line) => (line.startsWith('//') ? line : line.replace(/ = /g, '   =  ').replace(/: /g, ' :')))
    .join('\n')
    .replace(/\n\n/g, '\n\n\n');
}

/**
 * Polls `check` until it returns a truthy value; fails with `what` (and the last value).
 * @template T
 * @param {string} what @param {() => Promise<T>} check @param {number} [limit]
 * @returns {Promise<T>}
 */
async function waitFor(what, check, limit = STEP_MS) {
  const end = Date.now() + limit;
  /** @type {unknown} */
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) {
        return /** @type {T} */ (last);
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) {
      fail(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The main workbench helpers, bound to one page.
 * @param {import('playwright-core').Page} page
 */
function workbench(page) {
  const editor = page.locator('.editor-instance .monaco-editor').first();
  return {
    /** Runs a command by its title through the command palette. @param {string} title */
    async command(title) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: STEP_MS });
      await input.fill(`>${title}`);
      const row = page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ hasText: title })
        .first();
      await row.waitFor({ state: 'visible', timeout: STEP_MS });
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
    },
    /** Opens a workspace file through Quick Open. @param {string} name */
    async open(name) {
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: STEP_MS });
      await input.fill(name);
      await page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ hasText: name })
        .first()
        .waitFor({ state: 'visible', timeout: STEP_MS });
      await page.keyboard.press('Enter');
      await page
        .locator('.tab.active')
        .filter({ hasText: name })
        .waitFor({ state: 'visible', timeout: STEP_MS });
      await editor.waitFor({ state: 'visible', timeout: STEP_MS });
    },
    /** The rendered line of the active editor whose text is `text`. @param {string} text */
    line(text) {
      return editor.locator('.view-line').filter({ hasText: text }).first();
    },
    /** The rendered text of the active editor, line by line in order. */
    async text() {
      const lines = await editor.locator('.view-line').evaluateAll((nodes) =>
        nodes
          .map((n) => ({ top: parseFloat(/** @type {HTMLElement} */ (n).style.top || '0'), text: n.textContent || '' }))
          .sort((a, b) => a.top - b.top)
          .map((l) => l.text.replace(/\u00a0/g, ' ')),
      );
      return lines.join('\n');
    },
    /** "Ln 6, Col 6" from the status bar. */
    async cursor() {
      const item = page.locator('#status\\.editor\\.selection');
      const text = (await item.textContent()) || '';
      const match = /Ln (\d+), Col (\d+)/.exec(text);
      return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
    },
    editor,
  };
}

/**
 * The colour and class of each token span of a rendered line.
 * @param {import('playwright-core').Locator} line
 * @returns {Promise<{ text: string, cls: string, color: string }[]>}
 */
function tokens(line) {
  return line.locator('span > span').evaluateAll((spans) =>
    spans.map((s) => ({
      text: (s.textContent || '').replace(/\u00a0/g, ' '),
      cls: s.className,
      color: getComputedStyle(s).color,
    })),
  );
}

/** @param {{ text: string, color: string }[]} spans @param {string} word */
function colourOf(spans, word) {
  const span = spans.find((s) => s.text.trim() === word);
  if (!span) {
    fail(`no token span holds ${JSON.stringify(word)}: ${JSON.stringify(spans)}`);
  }
  return /** @type {{ text: string, color: string, cls: string }} */ (span);
}

async function main() {
  const cfg = settings();
  fs.mkdirSync(cfg.out, { recursive: true });
  for (const old of fs.readdirSync(cfg.out)) {
    if (old.endsWith('.png')) {
      fs.rmSync(path.join(cfg.out, old));
    }
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lhw-vscode-'));
  process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace);
  const userDir = path.join(scratch, 'user-data', 'User');
  fs.mkdirSync(userDir, { recursive: true });

  // The workspace: an example as it is, and the same example badly laid out.
  const hello = fs.readFileSync(path.join(repo, 'examples', 'hello.lhw'), 'utf8');
  fs.writeFileSync(path.join(workspace, 'hello.lhw'), hello);
  const messy = mangle(hello);
  fs.writeFileSync(path.join(workspace, 'messy.lhw'), messy);
  const canonical = run(cfg.lhc, ['fmt', '-'], { input: messy });
  if (canonical === messy) {
    fail('the mangled file is already canonical: the format step would prove nothing');
  }

  fs.writeFileSync(
    path.join(userDir, 'settings.json'),
    JSON.stringify(
      {
        'lhw.server.path': cfg.lhc,
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'editor.hover.delay': 150,
        'editor.minimap.enabled': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'files.autoSave': 'off',
      },
      null,
      2,
    ),
  );

  // The package under test: the extension as its sources are now (vsce, as package.sh
  // packages it), unless LHW_VSCODE_VSIX names a built one.
  let vsix = cfg.vsix;
  if (!vsix) {
    vsix = path.join(scratch, 'lhw.vsix');
    run(cfg.vsce, ['package', '--out', vsix, '--allow-missing-repository', '--skip-license'], {
      cwd: path.join(here, '..'),
    });
  }
  const installed = run(cfg.codeServer, [
    '--config', path.join(scratch, 'config.yaml'),
    '--user-data-dir', path.join(scratch, 'user-data'),
    '--extensions-dir', path.join(scratch, 'extensions'),
    '--install-extension', vsix,
  ]);
  const listed = run(cfg.codeServer, [
    '--config', path.join(scratch, 'config.yaml'),
    '--user-data-dir', path.join(scratch, 'user-data'),
    '--extensions-dir', path.join(scratch, 'extensions'),
    '--list-extensions', '--show-versions',
  ]);
  if (!/successfully installed/i.test(installed) || !/^lhw\.lhw@/m.test(listed)) {
    fail(`code-server did not install the extension lhw.lhw:\n${installed}\n${listed}`);
  }
  console.log(`installed ${cfg.vsix || 'the extension packaged from editors/vscode'} into code-server`);

  const server = await startCodeServer(cfg.codeServer, scratch);
  console.log(`code-server at ${server.url}`);
  const browser = await chromium.launch({
    executablePath: cfg.chromium,
    headless: process.env.LHW_VSCODE_HEADED !== '1',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  const deadline = setTimeout(() => {
    console.error(`the run took longer than ${RUN_MS / 1000} s; code-server said:\n${server.log()}`);
    killGroup(server.child, 'SIGKILL');
    process.exit(1);
  }, RUN_MS);
  /** @type {string[]} */
  const pageErrors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const wb = workbench(page);
    /** @param {string} name */
    const shot = async (name) => {
      const file = path.join(cfg.out, `${name}.png`);
      await page.screenshot({ path: file });
      console.log(`screenshot ${path.relative(repo, file)}`);
    };

    // 1. Highlighting: the declaration line's words are distinct tokens in distinct colours.
    await wb.open('hello.lhw');
    const decl = wb.line('task greet(name: str) -> str');
    await decl.waitFor({ state: 'visible', timeout: STEP_MS });
    // The language mode in the status bar is the extension's language.
    await waitFor('the language mode "lhw"', async () =>
      /lhw/.test((await page.locator('#status\\.editor\\.mode').textContent()) || ''),
    );
    // Semantic tokens arrive from the server after the grammar's; wait until the line's
    // colours settle (the task name and its parameter type coloured apart from keywords).
    const spans = await waitFor('distinct token colours on the task declaration', async () => {
      const found = await tokens(decl);
      const keyword = colourOf(found, 'task').color;
      const name = colourOf(found, 'greet').color;
      const type = colourOf(found, 'str').color;
      return new Set([keyword, name, type]).size === 3 ? found : false;
    });
    const comment = colourOf(await tokens(wb.line('// hello.lhw: the smallest useful workflow.')), '// hello.lhw: the smallest useful workflow.');
    const colours = new Set(spans.map((s) => s.color));
    if (colours.has(comment.color)) {
      fail(`the comment has the colour of a code token (${comment.color}): ${JSON.stringify(spans)}`);
    }
    console.log(
      `highlighting: task=${colourOf(spans, 'task').color} greet=${colourOf(spans, 'greet').color} ` +
        `str=${colourOf(spans, 'str').color} comment=${comment.color}`,
    );
    await shot('1-highlighting');

    // 2. Hover on the call `greet(name)` shows the task's signature.
    const callLine = wb.line('let reply = greet(name)');
    const callName = callLine.locator('span > span', { hasText: /^greet$/ }).first();
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
    const hoverText = await waitFor('a hover with the task signature on greet(...)', async () => {
      await page.mouse.move(5, 5);
      await callName.hover();
      await hover.waitFor({ state: 'visible', timeout: 3_000 });
      const text = (await hover.textContent()) || '';
      return /greet\s*\(\s*name\s*:\s*str\s*\)\s*->\s*str/.test(text) ? text : false;
    });
    console.log(`hover: ${hoverText.replace(/\s+/g, ' ').trim()}`);
    await shot('2-hover');
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');

    // 3. Go to definition on the call lands on `task greet`.
    const declLine = hello.split('\n').findIndex((l) => l.startsWith('task greet(')) + 1;
    const callLineNo = hello.split('\n').findIndex((l) => l.includes('greet(name)')) + 1;
    await callName.click();
    await waitFor(`the cursor on line ${callLineNo}`, async () => (await wb.cursor())?.line === callLineNo);
    await page.keyboard.press('F12');
    const landed = await waitFor(`the cursor on the declaration (line ${declLine}) after F12`, async () => {
      const at = await wb.cursor();
      return at && at.line === declLine ? at : false;
    });
    console.log(`definition: line ${callLineNo} -> line ${landed.line}, column ${landed.column}`);
    await shot('3-definition');

    // 4. The graph view: a webview with the server's SVG.
    await wb.command('lhw: Show workflow graph');
    const graph = await waitFor('the graph webview with an SVG', async () => {
      for (const frame of page.frames()) {
        const svg = frame.locator('.graph svg');
        if ((await svg.count()) > 0) {
          const text = (await svg.first().textContent()) || '';
          const box = await svg.first().boundingBox();
          return { text, box };
        }
      }
      return false;
    });
    if (!/greet/.test(graph.text)) {
      fail(`the graph's SVG does not show the task node greet: ${graph.text}`);
    }
    if (!graph.box || graph.box.width < 50 || graph.box.height < 50) {
      fail(`the graph's SVG is not drawn at a visible size: ${JSON.stringify(graph.box)}`);
    }
    await page
      .locator('.tab')
      .filter({ hasText: 'Graph: hello' })
      .waitFor({ state: 'visible', timeout: STEP_MS });
    console.log(`graph: SVG ${Math.round(graph.box.width)}x${Math.round(graph.box.height)} px in the webview "Graph: hello"`);
    await shot('4-graph');
    await wb.command('View: Close All Editor Groups'); // the webview too
    await page.locator('.tab').first().waitFor({ state: 'hidden', timeout: STEP_MS });

    // 5. A broken line: `name` misspelt in the call; the squiggle and the Problems panel.
    await wb.open('hello.lhw');
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget input').fill(`:${callLineNo}`);
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    for (let i = 0; i < 'name)'.length; i += 1) {
      await page.keyboard.press('Backspace');
    }
    await page.keyboard.type('nmae)');
    await wb.line('let reply = greet(nmae)').waitFor({ state: 'visible', timeout: STEP_MS });
    await waitFor('an error squiggle', async () => (await page.locator('.squiggly-error').count()) > 0);
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row').filter({ hasText: 'nmae' }).first();
    await problem.waitFor({ state: 'visible', timeout: STEP_MS });
    const problemText = ((await problem.textContent()) || '').replace(/\s+/g, ' ');
    if (!/E0101/.test(problemText)) {
      fail(`the Problems panel row does not carry the code E0101: ${problemText}`);
    }
    if (!new RegExp(`\\[Ln ${callLineNo}, Col \\d+\\]`).test(problemText)) {
      fail(`the Problems panel row is not on line ${callLineNo}: ${problemText}`);
    }
    console.log(`problems: ${problemText.trim()}`);
    await shot('5-diagnostic');
    // Back to the file on disk, unsaved edit dropped.
    await wb.editor.click();
    await wb.command('File: Revert File');
    await wb.line('let reply = greet(name)').waitFor({ state: 'visible', timeout: STEP_MS });
    await waitFor('the squiggle to go', async () => (await page.locator('.squiggly-error').count()) === 0);

    // 6. Format Document on the messy copy gives `lhc fmt`'s layout.
    await wb.open('messy.lhw');
    await wb.line('task greet(name :str) -> str').waitFor({ state: 'visible', timeout: STEP_MS });
    await shot('6a-before-format');
    const before = await wb.text();
    await wb.command('Format Document');
    const after = await waitFor('the document to change into the canonical layout', async () => {
      const text = await wb.text();
      return text !== before && text.trimEnd() === canonical.trimEnd() ? text : false;
    });
    await page.keyboard.press('Control+S');
    await waitFor('messy.lhw saved in the canonical layout', async () =>
      fs.readFileSync(path.join(workspace, 'messy.lhw'), 'utf8') === canonical,
    );
    console.log(`format: ${before.split('\n').length} messy lines -> ${after.split('\n').length} canonical lines, saved`);
    await shot('6b-formatted');

    const serious = pageErrors.filter((e) => /lhw|extension/i.test(e));
    if (serious.length > 0) {
      fail(`the workbench reported errors: ${serious.join('\n')}`);
    }
    console.log('all VS Code checks passed');
  } catch (err) {
    // What the editor showed when a step failed, for the person reading the failure.
    const file = path.join(cfg.out, 'failure.png');
    for (const ctx of browser.contexts()) {
      for (const p of ctx.pages()) {
        await p.screenshot({ path: file }).catch(() => {});
      }
    }
    console.error(`screenshot of the failure: ${file}`);
    throw err;
  } finally {
    clearTimeout(deadline);
    await browser.close().catch(() => {});
    await stopCodeServer(server.child);
  }
}

main().catch((err) => {
  console.error(`vscode e2e failed: ${err instanceof Error ? err.stack || err.message : err}`);
  process.exit(1);
});
