#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's module hooks, so the package ships its sources as they are.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main();
