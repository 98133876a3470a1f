// The entry point of the bundle (scripts/build.mjs); everything else is in program.ts, which tests import.
// Loaded as a library (the in-process test harness sets __officeDocLibrary), it runs nothing itself.
import { main } from "./program.js";

export { runCaptured } from "./capture.js";

if (!(globalThis as { __officeDocLibrary?: boolean }).__officeDocLibrary) void main(process.argv);
