// Benchmark harness entry point: measures side by side in one run and prints ratios.
const quick = process.argv.includes("--quick");
console.log(`bench: no suites yet${quick ? " (quick)" : ""}`);
