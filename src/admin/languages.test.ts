import { describe, expect, it } from 'vitest';
import { LANGUAGES } from './languages.ts';
import { PromptLibrary } from '../prompts/library.ts';

describe('service number languages', () => {
  it('are exactly the languages with a complete set of prompts on disk', () => {
    // A number can only be given languages the attendant can speak.
    expect(LANGUAGES.map((l) => l.code).sort()).toEqual(new PromptLibrary().languages().sort());
  });
});
