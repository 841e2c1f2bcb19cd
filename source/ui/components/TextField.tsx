/** A one-line text value with a block cursor while it is being typed. */
import { Text } from 'ink';
import React from 'react';
import { useTheme } from '../context.js';

export function TextField({ value, active }: { value: string; active: boolean }) {
  const theme = useTheme();
  if (!active) return <Text>{value}</Text>;
  return (
    <Text>
      {value}
      {theme.styled ? <Text inverse> </Text> : '_'}
    </Text>
  );
}
