// The seed walkthrough, end to end. Steps land here as the library grows.
import { EMULATOR_VERSION } from "databricks-emulator";
import { PACKAGE_NAME, PACKAGE_VERSION } from "langchain-databricks";

console.log(`${PACKAGE_NAME} ${PACKAGE_VERSION} (emulator ${EMULATOR_VERSION})`);
