// Types of config/esbuild-aws-sdk.js (plain CommonJS: serverless-esbuild requires it without a TypeScript loader).
import type { Plugin } from 'esbuild';

declare const plugins: Plugin[];
export = plugins;
