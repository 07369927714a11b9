import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../analytics/prng.js';
import { classifyError, clampDuration, cleanText, dedupeKeyFor, phaseFor, phaseFromName, projectFromCwd, skillNameFor } from './tool-mapping.js';

describe('skillNameFor', () => {
  it('maps Skill, Task/Agent, MCP and plain tools', () => {
    assert.equal(skillNameFor('Skill', { skill: 'pdf' }), 'skill:pdf');
    assert.equal(skillNameFor('Skill', { skill: 'ms-office-suite:pdf', args: 'x' }), 'skill:ms-office-suite:pdf');
    assert.equal(skillNameFor('Skill', { command: '/commit' }), 'skill:commit');
    assert.equal(skillNameFor('Skill', {}), 'skill:unknown');
    assert.equal(skillNameFor('Task', { subagent_type: 'code-reviewer', prompt: 'p' }), 'agent:code-reviewer');
    assert.equal(skillNameFor('Agent', { subagent_type: 'Explore' }), 'agent:Explore');
    assert.equal(skillNameFor('Task', {}), 'agent:general-purpose');
    assert.equal(skillNameFor('mcp__github__create_pull_request', {}), 'mcp__github__create_pull_request');
    assert.equal(skillNameFor('Bash', { command: 'ls' }), 'Bash');
  });

  it('strips control characters and caps at 128 characters', () => {
    assert.equal(skillNameFor('Skill', { skill: 'a\u0007b' }), 'skill:ab');
    // "skill:" (6) + 200 x's, capped to 128
    assert.equal(skillNameFor('Skill', { skill: 'x'.repeat(200) }).length, 128);
  });
});

describe('phaseFor', () => {
  it('classifies Bash commands', () => {
    assert.equal(phaseFor('Bash', { command: 'npm test' }), 'testing');
    assert.equal(phaseFor('Bash', { command: 'node --import tsx --test src/a.test.ts' }), 'testing');
    assert.equal(phaseFor('Bash', { command: 'cargo test --all' }), 'testing');
    assert.equal(phaseFor('Bash', { command: 'git push origin main' }), 'deployment');
    assert.equal(phaseFor('Bash', { command: 'git diff HEAD~1' }), 'review');
    assert.equal(phaseFor('Bash', { command: 'strace -p 1' }), 'debugging');
    assert.equal(phaseFor('Bash', { command: 'ls -la' }), 'unknown');
  });

  it('classifies edits by file', () => {
    assert.equal(phaseFor('Edit', { file_path: '/r/src/a.ts' }), 'implementation');
    assert.equal(phaseFor('Write', { file_path: '/r/README.md' }), 'documentation');
    assert.equal(phaseFor('Write', { file_path: '/r/docs/guide.html' }), 'documentation');
    assert.equal(phaseFor('Edit', { file_path: '/r/src/a.test.ts' }), 'testing');
    assert.equal(phaseFor('MultiEdit', { file_path: '/r/tests/x.py' }), 'testing');
  });

  it('classifies reading tools as planning and unknown tools as unknown', () => {
    for (const t of ['Read', 'Grep', 'Glob', 'WebSearch', 'TodoWrite']) assert.equal(phaseFor(t, {}), 'planning');
    assert.equal(phaseFor('SomethingNew', {}), 'unknown');
  });

  it('infers named skills, agents and MCP tools from keywords', () => {
    assert.equal(phaseFor('Task', { subagent_type: 'Plan' }), 'planning');
    assert.equal(phaseFor('Skill', { skill: 'code-review' }), 'review');
    assert.equal(phaseFor('mcp__ci__run_tests', {}), 'testing');
    assert.equal(phaseFor('Skill', { skill: 'docker-compose' }), 'unknown'); // "docker" is not "doc"
    assert.equal(phaseFromName('skill:docs-writer'), 'documentation');
    assert.equal(phaseFromName('skill:pdf'), 'unknown');
  });
});

describe('classifyError', () => {
  it('maps messages to a few classes', () => {
    assert.equal(classifyError('x', true), 'interrupted');
    assert.equal(classifyError('[Request interrupted by user for tool use]'), 'interrupted');
    assert.equal(classifyError("The user doesn't want to proceed with this tool use."), 'permission_denied');
    assert.equal(classifyError('Command timed out after 2m'), 'timeout');
    assert.equal(classifyError('Error: Exit code 1'), 'nonzero_exit');
    assert.equal(classifyError('ENOENT: no such file'), 'not_found');
    assert.equal(classifyError('weird'), 'tool_error');
    assert.equal(classifyError(null), 'tool_error');
  });
});

describe('small helpers', () => {
  it('projectFromCwd takes the last path segment', () => {
    assert.equal(projectFromCwd('/home/a/my-repo'), 'my-repo');
    assert.equal(projectFromCwd('/home/a/my-repo/'), 'my-repo');
    assert.equal(projectFromCwd(''), null);
    assert.equal(projectFromCwd(42), null);
  });

  it('clampDuration rounds and bounds to [0, 24 h]', () => {
    assert.equal(clampDuration(-5), 0);
    assert.equal(clampDuration(12.6), 13);
    assert.equal(clampDuration(Number.NaN), 0);
    assert.equal(clampDuration(1e12), 86_400_000);
  });

  it('dedupeKeyFor', () => {
    assert.equal(dedupeKeyFor('toolu_1'), 'cc:toolu_1');
  });
});

describe('cleanText', () => {
  it('removes exactly the Unicode control characters (Cc), then trims and caps', () => {
    assert.equal(cleanText(' \u0000a\u001fb\u007fc\u009fd\u00a0 ', 10), 'abcd');
    assert.equal(cleanText('\u0085x', 10), 'x'); // NEL is Cc: removed, not kept as a space
    assert.equal(cleanText('abcdef', 3), 'abc');
    assert.equal(cleanText('\ud83d\ude00\ud800', 10), '\ud83d\ude00\ud800'); // surrogates are not Cc
  });

  it('agrees with a Unicode-aware \\p{Cc} replace on random text', () => {
    const rand = mulberry32(12);
    const alphabet = ['a', ' ', '\t', '\n', '\u0000', '\u001f', '\u007f', '\u0085', '\u009f', '\u00a0', '\u2028', '\ud83d', '\ude00', 'é', '\ufeff'];
    for (let n = 0; n < 2000; n++) {
      let text = '';
      const len = Math.floor(rand() * 12);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(rand() * alphabet.length)];
      const max = Math.floor(rand() * 8);
      const expected = text
        .replace(/\p{Cc}/gu, '')
        .trim()
        .slice(0, max);
      assert.equal(cleanText(text, max), expected, JSON.stringify(text));
    }
  });
});
