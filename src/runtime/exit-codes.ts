// Exit codes (docs/reference/exit-codes.md).
export const EXIT = {
  ok: 0,
  proofFailed: 1,
  usage: 2,
  killSwitch: 3,
  dataError: 65,
  ioError: 74,
} as const;
