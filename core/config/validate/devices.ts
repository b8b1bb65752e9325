/** `tpm`, `audio` and `video`: emulated devices. */
import { quote } from "../../quote.ts";
import { AUDIO_INTERFACES } from "../schema.ts";
import type { Check } from "./check.ts";
import { orList } from "./messages.ts";

const TPM_ARCHS = ["x86_64", "aarch64", "armv7l", "riscv64"];

export function checkDevices({ y, arch, fail, warn }: Check): void {
  if (y.tpm && !TPM_ARCHS.includes(arch)) {
    fail(
      "tpm",
      `field \`tpm\` is not supported on architecture ${quote(arch)}`,
    );
  }
  const audio = y.audio?.interface;
  if (audio && !(AUDIO_INTERFACES as readonly string[]).includes(audio)) {
    fail(
      "audio.interface",
      `invalid audio.interface ${JSON.stringify(audio)}, must be ${
        orList(AUDIO_INTERFACES)
      }`,
    );
  }
  if (y.audio?.device) warn("`audio.device` is experimental");
  if (y.video?.display === "vnc") warn("`video.display: vnc` is experimental");
}
