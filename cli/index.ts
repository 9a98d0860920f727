#!/usr/bin/env node
/**
 * The `logcluster` executable (package.json "bin"). Everything lives in main.ts; this file only
 * runs it and sets the exit code.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
