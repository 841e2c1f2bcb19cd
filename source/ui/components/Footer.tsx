/** The keys of what is on screen (the focused pane, or the open view), from its binding table. */
import { Text } from 'ink';
import React from 'react';
import { useTheme } from '../context.js';
import { keysText, type Binding, type KeyView } from '../keymap.js';

/** The footer's keys: help first (it lists the rest), then in table order; up and down as one `↑↓`. */
export function footerPairs(view: KeyView): [keys: string, label: string][] {
  const shown = view.bindings.filter((b) => b.footer && b.id !== 'down');
  const ordered = [...shown.filter((b) => b.id === 'help'), ...shown.filter((b) => b.id !== 'help')];
  const keys = (b: Binding) => (b.id === 'up' ? '↑↓' : view.firstKeyOnly ? b.keys[0]!.display : keysText(b));
  return ordered.map((b) => [keys(b), b.label]);
}

export function Footer({ view }: { view: KeyView }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      {footerPairs(view).map(([keys, label], i) => (
        <React.Fragment key={`${keys}-${label}`}>
          {i > 0 ? '  ' : ''}
          {theme.styled ? (
            <Text color={theme.colors.accent} bold>
              {keys}
            </Text>
          ) : (
            `<${keys}>`
          )}{' '}
          {label}
        </React.Fragment>
      ))}
    </Text>
  );
}
