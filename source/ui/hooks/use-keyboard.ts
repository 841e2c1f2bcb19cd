/**
 * The one owner of keyboard input: every key press goes to the UI actions, which route it by
 * what is on screen. Raw mode is only asked for where stdin supports it (not in pipes or CI).
 */
import { useInput, useStdin } from 'ink';
import { useUIActions } from '../context.js';
import { splitInput } from '../keymap.js';

export function useKeyboard(): void {
  const { isRawModeSupported } = useStdin();
  const actions = useUIActions();
  useInput(
    (input, key) => {
      for (const press of splitInput(input, key)) actions.key(press.input, press.key);
    },
    { isActive: isRawModeSupported === true },
  );
}
