/**
 * Text wrapped to a terminal's width, words kept whole where they fit (the skill report's
 * narrow layout, search hits).
 */
import type { Output } from './context.js';

/** The width of the terminal `out` writes to; null when it is no terminal (a pipe, a file): not wrapped. */
export function terminalWidth(out: Output): number | null {
  const tty = out as Output & { isTTY?: boolean; columns?: number };
  return tty.isTTY === true && typeof tty.columns === 'number' && tty.columns > 0 ? tty.columns : null;
}

/**
 * Where to cut `word` so that at most `room` characters stay on the line: after the last separator
 * that fits (":", "-", "/", ".", a "_" not followed by another, so "mcp__github__" stays whole) and
 * fills at least half of it (not "skill:" alone), else at `room` itself.
 */
function cutAt(word: string, room: number): number {
  for (let i = Math.min(room, word.length - 1); i > 0 && i >= room / 2; i--) {
    const c = word[i - 1]!;
    if (':-/.'.includes(c) || (c === '_' && word[i] !== '_')) return i;
  }
  return Math.max(1, room);
}

/**
 * Words of `text` in lines of at most `width` characters, each but the first indented by `indent`.
 * A word longer than a line (a long skill name, a path) is broken after a separator, as the
 * dashboard breaks names, so that no line is wider than the terminal (it would wrap it again).
 */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const next = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
    if (next.length <= width || word === '') {
      line = next;
      continue;
    }
    if (line.trim() !== '') {
      lines.push(line);
      line = indent;
    }
    let rest = word;
    while (line.length + rest.length > width) {
      const cut = cutAt(rest, width - line.length);
      lines.push(`${line}${rest.slice(0, cut)}`);
      line = indent;
      rest = rest.slice(cut);
    }
    line = `${line}${rest}`;
  }
  lines.push(line);
  return lines;
}
