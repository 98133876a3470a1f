// The entry point of the bundle (scripts/build.mjs); everything else is in program.ts, which tests import.
import { main } from "./program.js";

void main(process.argv);
