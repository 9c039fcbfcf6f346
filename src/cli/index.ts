/** The command line, for embedding and tests: `runCli(process.argv)`. */
export { CLI_VERSION, buildProgram, runCli } from './program.js';
export { EXIT_CODE_BY_ERROR, EXIT_DATA_ERROR, EXIT_OK, EXIT_USER_ERROR } from './cli-errors.js';
