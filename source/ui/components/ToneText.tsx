/** Text in the colour of a tone; plain text in the no-color theme. */
import { Text } from 'ink';
import React, { type ReactNode } from 'react';
import { useTheme } from '../context.js';
import type { Tone } from '../theme.js';

export interface ToneTextProps {
  tone?: Tone;
  bold?: boolean;
  inverse?: boolean;
  children?: ReactNode;
}

export function ToneText({ tone = 'normal', bold, inverse, children }: ToneTextProps) {
  const theme = useTheme();
  if (!theme.styled) return <Text>{children}</Text>;
  return (
    <Text color={theme.colors[tone]} bold={bold} inverse={inverse}>
      {children}
    </Text>
  );
}
