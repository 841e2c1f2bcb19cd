/** A framed pane with its title (and a right-hand note) drawn into the top border. */
import { Box, Text } from 'ink';
import React, { type ReactNode } from 'react';
import { useTheme } from '../context.js';
import { textWidth, truncate } from '../text.js';

/**
 * The frame is always single-line (Ink re-applies a changed borderStyle without borderTop=false,
 * so the style must not change); focus shows in the top line — double, and coloured where colour
 * is on — so it reads without colour too.
 */
const CORNERS = {
  focused: { tl: '╒', tr: '╕', h: '═' },
  blurred: { tl: '┌', tr: '┐', h: '─' },
} as const;

export interface PaneProps {
  title: string;
  /** Right-aligned in the top border: counts, scroll position. */
  note?: string;
  focused: boolean;
  width: number;
  height: number;
  children?: ReactNode;
}

export function topBorder(style: keyof typeof CORNERS, title: string, note: string, width: number): string {
  const { tl, tr, h } = CORNERS[style];
  // tl h ␣title␣ fill ␣note␣ h tr = width
  const room = Math.max(0, width - 4);
  const right = note && room >= 12 ? ` ${truncate(note, Math.max(1, Math.min(textWidth(note), room - 10)))} ` : '';
  const left = ` ${truncate(title, Math.max(1, room - textWidth(right) - 2))} `;
  const fill = Math.max(0, room - textWidth(left) - textWidth(right));
  return `${tl}${h}${left}${h.repeat(fill)}${right}${h}${tr}`;
}

export function Pane({ title, note = '', focused, width, height, children }: PaneProps) {
  const theme = useTheme();
  const style = focused ? 'focused' : 'blurred';
  const color = theme.styled ? (focused ? theme.colors.accent : theme.colors.muted) : undefined;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={color} bold={theme.styled && focused} wrap="truncate-end">
        {topBorder(style, title, note, width)}
      </Text>
      <Box flexDirection="column" width={width} height={Math.max(0, height - 1)} borderStyle="single" borderTop={false} borderColor={color} overflowY="hidden">
        {children}
      </Box>
    </Box>
  );
}
