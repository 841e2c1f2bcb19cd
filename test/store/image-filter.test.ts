/** The archived images' filter in the team store's head: parsed once per text, never shared between changes. */
import { describe, expect, it } from 'vitest';
import { ImageFilter } from '../../source/store/kubernetes/image-filter.js';

describe('the archived images filter', () => {
  it('keeps an image added to one parsed copy out of the next copy of the same text', () => {
    const start = ImageFilter.empty();
    start.add('localhost:5000/ecp-ai/callbot:v1');
    const text = start.toString();
    const first = ImageFilter.parse(text);
    first.add('localhost:5000/ecp-ai/callbot:v2');
    const second = ImageFilter.parse(text);
    expect(second.mayHave('localhost:5000/ecp-ai/callbot:v1')).toBe(true);
    expect(second.mayHave('localhost:5000/ecp-ai/callbot:v2')).toBe(false);
    expect(second.toString()).toBe(text);
    expect(first.toString()).not.toBe(text);
    expect(ImageFilter.parse(first.toString()).mayHave('localhost:5000/ecp-ai/callbot:v2')).toBe(true);
  });
});
