/**
 * The built-in template set, embedded in the module graph so that a compiled `limactl`
 * carries it. Keys are template names as used in `template:NAME` (without `.yaml`).
 */
import defaultMounts from "./_default/mounts.yaml" with { type: "text" };
import imagesDebian from "./_images/debian.yaml" with { type: "text" };
import imagesDebian12 from "./_images/debian-12.yaml" with { type: "text" };
import imagesUbuntu from "./_images/ubuntu.yaml" with { type: "text" };
import imagesUbuntu2404 from "./_images/ubuntu-24.04.yaml" with { type: "text" };
import imagesUbuntuLTS from "./_images/ubuntu-lts.yaml" with { type: "text" };
import debian from "./debian.yaml" with { type: "text" };
import debian12 from "./debian-12.yaml" with { type: "text" };
import defaultTemplate from "./default.yaml" with { type: "text" };
import ubuntu from "./ubuntu.yaml" with { type: "text" };
import ubuntu2404 from "./ubuntu-24.04.yaml" with { type: "text" };
import ubuntuLTS from "./ubuntu-lts.yaml" with { type: "text" };

export const builtinTemplates: Record<string, string> = {
  "_default/mounts": defaultMounts,
  "_images/debian": imagesDebian,
  "_images/debian-12": imagesDebian12,
  "_images/ubuntu": imagesUbuntu,
  "_images/ubuntu-24.04": imagesUbuntu2404,
  "_images/ubuntu-lts": imagesUbuntuLTS,
  "debian": debian,
  "debian-12": debian12,
  "default": defaultTemplate,
  "ubuntu": ubuntu,
  "ubuntu-24.04": ubuntu2404,
  "ubuntu-lts": ubuntuLTS,
};
