#!/usr/bin/env node
// The `dialbridge` command: runs the TypeScript sources directly (tsx), no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
