// Moved to test/helpers/sign-in.ts; this stub keeps in-flight importers compiling. Import the helper directly.
export * from '../../helpers/sign-in.js'
