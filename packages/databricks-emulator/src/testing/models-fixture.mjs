// A `--models FILE` module for the CLI test: the seed's `dolly` stand-in (prompt/stop in, one string out).
export const models = {
  dolly: {
    predict: (records) => records.map((r) => `echo: ${r.prompt}`),
    signature: {
      inputs: [
        { name: "prompt", type: "string" },
        { name: "stop", type: "list[string]" },
      ],
      outputs: [{ type: "string" }],
    },
  },
};
