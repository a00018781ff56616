// Tokenizes .lhw text with the TextMate grammar through vscode-textmate and Oniguruma, the
// engine VS Code itself uses, and checks the scopes given to each word. Run with
// `npm test` in editors/vscode (package.sh runs it before packaging). The keyword lists
// themselves are compared with the pest grammar by tests/editors (cargo test).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const test = require('node:test');
const oniguruma = require('vscode-oniguruma');
const textmate = require('vscode-textmate');

const root = path.join(__dirname, '..');
const repo = path.join(root, '..', '..');

/** @returns {Promise<textmate.IGrammar>} */
async function loadGrammar() {
  const wasm = fs.readFileSync(
    path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'),
  );
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.lhw') {
        return null;
      }
      const file = path.join(root, 'syntaxes', 'lhw.tmLanguage.json');
      return textmate.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  const grammar = await registry.loadGrammar('source.lhw');
  assert.ok(grammar, 'the grammar source.lhw loads');
  return grammar;
}

const grammarPromise = loadGrammar();

/**
 * Tokenizes `text` (one or more lines) and returns every token as
 * { line, text, scopes }, scopes without the root `source.lhw`.
 */
async function tokenize(text) {
  const grammar = await grammarPromise;
  let state = textmate.INITIAL;
  const out = [];
  text.split('\n').forEach((line, lineNo) => {
    const result = grammar.tokenizeLine(line, state);
    for (const token of result.tokens) {
      out.push({
        line: lineNo,
        text: line.slice(token.startIndex, token.endIndex),
        scopes: token.scopes.slice(1),
      });
    }
    state = result.ruleStack;
  });
  return out;
}

/**
 * Asserts that the `nth` token whose text is exactly `word` (counting from 0) has a scope
 * starting with `scope` (or, when `scope` is null, no scope at all).
 */
function expectScope(tokens, word, scope, nth = 0) {
  const matching = tokens.filter((t) => t.text === word);
  const token = matching[nth];
  const dump = tokens.map((t) => `${JSON.stringify(t.text)} ${t.scopes.join(' ')}`).join('\n');
  assert.ok(token, `no token ${JSON.stringify(word)} (#${nth}) in:\n${dump}`);
  if (scope === null) {
    assert.deepEqual(token.scopes, [], `${JSON.stringify(word)} should have no scope:\n${dump}`);
  } else {
    assert.ok(
      token.scopes.some((s) => s.startsWith(scope)),
      `${JSON.stringify(word)} should have scope ${scope}, has [${token.scopes}]:\n${dump}`,
    );
  }
}

test('declarations name what they declare', async () => {
  const t = await tokenize(
    [
      'task greet(name: str) -> str',
      'extern event payment-done: json-obj',
      'workflow-event shipped',
      'struct address { zipCode: str }',
      'user-task approve "Approve it" { ok: bool }',
      'workflow hello {',
      '  input if-ready: bool required',
      '  public var greeting: str',
      '  let reply = greet(name)',
      '  fail invalid-order "no total" with order',
      '}',
    ].join('\n'),
  );
  expectScope(t, 'task', 'storage.type.lhw');
  expectScope(t, 'greet', 'entity.name.function.task.lhw');
  expectScope(t, 'str', 'support.type.primitive.lhw');
  expectScope(t, '->', 'keyword.operator.arrow.lhw');
  expectScope(t, 'extern', 'storage.modifier.lhw');
  expectScope(t, 'payment-done', 'entity.name.type.event.lhw');
  expectScope(t, 'json-obj', 'support.type.primitive.lhw');
  expectScope(t, 'workflow-event', 'storage.type.lhw');
  expectScope(t, 'shipped', 'entity.name.type.event.lhw');
  expectScope(t, 'address', 'entity.name.type.struct.lhw');
  expectScope(t, 'user-task', 'storage.type.lhw');
  expectScope(t, 'approve', 'entity.name.type.struct.lhw');
  expectScope(t, 'hello', 'entity.name.type.workflow.lhw');
  expectScope(t, 'if-ready', 'variable.other.declaration.lhw');
  expectScope(t, 'required', 'storage.modifier.lhw');
  expectScope(t, 'public', 'storage.modifier.lhw');
  expectScope(t, 'greeting', 'variable.other.declaration.lhw');
  expectScope(t, 'reply', 'variable.other.declaration.lhw');
  expectScope(t, 'greet', 'entity.name.function.call.lhw', 1);
  expectScope(t, 'fail', 'keyword.control.lhw');
  expectScope(t, 'invalid-order', 'entity.name.type.exception.lhw');
  expectScope(t, 'with', 'keyword.other.lhw');
});

test('words end where names end: hyphens join, fields and calls are not keywords', async () => {
  const t = await tokenize(
    [
      'if if-ready && task-count > 0 { x = order.map }',
      'sleep(5)',
      'sleep 30s',
      '`fail`() catch error task-error { handler() }',
      'count = a-b - 1',
      'count = count -1',
    ].join('\n'),
  );
  expectScope(t, 'if', 'keyword.control.lhw');
  expectScope(t, 'if-ready', 'variable.other.lhw');
  expectScope(t, 'task-count', 'variable.other.lhw');
  expectScope(t, 'order', 'variable.other.lhw');
  expectScope(t, 'map', 'variable.other.property.lhw');
  expectScope(t, 'sleep', 'entity.name.function.call.lhw', 0);
  expectScope(t, 'sleep', 'keyword.control.flow.lhw', 1);
  expectScope(t, '`fail`', 'entity.name.function.call.lhw');
  expectScope(t, 'catch', 'keyword.control.flow.lhw');
  expectScope(t, 'error', 'keyword.other.lhw');
  expectScope(t, 'task-error', 'variable.other.lhw');
  expectScope(t, 'a-b', 'variable.other.lhw');
  expectScope(t, '-', 'keyword.operator.arithmetic.lhw', 0);
  expectScope(t, '-', 'keyword.operator.arithmetic.lhw', 1);
  expectScope(t, '1', 'constant.numeric.integer.lhw', 0);
  expectScope(t, '1', 'constant.numeric.integer.lhw', 1);
});

test('numbers, durations and operators', async () => {
  const t = await tokenize(
    [
      'ratio = 2.5e3',
      'let r = charge(x) retries 3 timeout 30s backoff 1s..10s',
      'attempts += 1',
      'ok = a != b || !done',
    ].join('\n'),
  );
  expectScope(t, '2.5e3', 'constant.numeric.float.lhw');
  expectScope(t, 'retries', 'keyword.other.lhw');
  expectScope(t, '3', 'constant.numeric.integer.lhw');
  expectScope(t, 'timeout', 'keyword.other.lhw');
  expectScope(t, '30', 'constant.numeric.duration.lhw');
  expectScope(t, 's', 'keyword.other.unit.lhw');
  expectScope(t, '..', 'keyword.operator.range.lhw');
  expectScope(t, '10', 'constant.numeric.duration.lhw');
  expectScope(t, '+=', 'keyword.operator.assignment.compound.lhw');
  expectScope(t, '!=', 'keyword.operator.comparison.lhw');
  expectScope(t, '||', 'keyword.operator.logical.lhw');
  expectScope(t, '!', 'keyword.operator.logical.lhw');
});

test('strings: escapes, literal braces, interpolation, an unclosed string ends at the line', async () => {
  const t = await tokenize(
    ['note = "Hi {name}, {{not}} \\n {greet(name)} \\q"', 'x = "open', 'y = 1'].join('\n'),
  );
  expectScope(t, '{', 'punctuation.section.interpolation.begin.lhw');
  expectScope(t, 'name', 'meta.interpolation.lhw');
  expectScope(t, '{{', 'constant.character.escape.brace.lhw');
  expectScope(t, '\\n', 'constant.character.escape.lhw');
  expectScope(t, 'greet', 'entity.name.function.call.lhw');
  expectScope(t, '\\q', 'invalid.illegal.escape.lhw');
  const y = t.find((tok) => tok.line === 2 && tok.text.startsWith('y'));
  assert.ok(y && !y.scopes.some((s) => s.startsWith('string')), 'the string on line 2 is closed');
});

test('comments, nested block comments', async () => {
  const t = await tokenize('a = 1 // if while\n/* x /* y */ still */ done');
  expectScope(t, '// if while', 'comment.line.double-slash.lhw');
  expectScope(t, ' still ', 'comment.block.lhw');
  expectScope(t, 'done', 'variable.other.lhw');
});

test('the examples have nothing marked invalid', async () => {
  const dir = path.join(repo, 'examples');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.lhw'));
  assert.ok(files.length > 0, `no .lhw files in ${dir}`);
  for (const file of files) {
    const tokens = await tokenize(fs.readFileSync(path.join(dir, file), 'utf8'));
    const bad = tokens.filter((tok) => tok.scopes.some((s) => s.startsWith('invalid')));
    assert.deepEqual(
      bad.map((tok) => `${file}:${tok.line + 1}: ${JSON.stringify(tok.text)}`),
      [],
      `${file} has tokens marked invalid`,
    );
  }
});
