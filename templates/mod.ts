/**
 * The built-in template set, embedded in the module graph (static text imports) so that a
 * compiled `limactl` carries it. Keys are template names as written after `template:`
 * (without `.yaml`); names with a `_` segment are internal building blocks. Every YAML file
 * in this directory must be listed here: `core/template/builtin_set_test.ts` checks it.
 */
import _defaultMounts from "./_default/mounts.yaml" with { type: "text" };
import _imagesAlpine323 from "./_images/alpine-3.23.yaml" with { type: "text" };
import _imagesArchlinux from "./_images/archlinux.yaml" with { type: "text" };
import _imagesDebian from "./_images/debian.yaml" with { type: "text" };
import _imagesDebian11 from "./_images/debian-11.yaml" with { type: "text" };
import _imagesDebian12 from "./_images/debian-12.yaml" with { type: "text" };
import _imagesDebian13 from "./_images/debian-13.yaml" with { type: "text" };
import _imagesFedora from "./_images/fedora.yaml" with { type: "text" };
import _imagesFedora43 from "./_images/fedora-43.yaml" with { type: "text" };
import _imagesFedora44 from "./_images/fedora-44.yaml" with { type: "text" };
import _imagesUbuntu from "./_images/ubuntu.yaml" with { type: "text" };
import _imagesUbuntu2204 from "./_images/ubuntu-22.04.yaml" with {
  type: "text",
};
import _imagesUbuntu2404 from "./_images/ubuntu-24.04.yaml" with {
  type: "text",
};
import _imagesUbuntu2510 from "./_images/ubuntu-25.10.yaml" with {
  type: "text",
};
import _imagesUbuntu2604 from "./_images/ubuntu-26.04.yaml" with {
  type: "text",
};
import _imagesUbuntuLts from "./_images/ubuntu-lts.yaml" with { type: "text" };
import alpine from "./alpine.yaml" with { type: "text" };
import alpine323 from "./alpine-3.23.yaml" with { type: "text" };
import archlinux from "./archlinux.yaml" with { type: "text" };
import debian from "./debian.yaml" with { type: "text" };
import debian11 from "./debian-11.yaml" with { type: "text" };
import debian12 from "./debian-12.yaml" with { type: "text" };
import debian13 from "./debian-13.yaml" with { type: "text" };
import defaultTemplate from "./default.yaml" with { type: "text" };
import docker from "./docker.yaml" with { type: "text" };
import dockerDebian from "./docker-debian.yaml" with { type: "text" };
import dockerRootful from "./docker-rootful.yaml" with { type: "text" };
import experimentalDebianSid from "./experimental/debian-sid.yaml" with {
  type: "text",
};
import experimentalUbuntu2610 from "./experimental/ubuntu-26.10.yaml" with {
  type: "text",
};
import experimentalUbuntuNext from "./experimental/ubuntu-next.yaml" with {
  type: "text",
};
import fedora from "./fedora.yaml" with { type: "text" };
import fedora43 from "./fedora-43.yaml" with { type: "text" };
import fedora44 from "./fedora-44.yaml" with { type: "text" };
import k3s from "./k3s.yaml" with { type: "text" };
import k8s from "./k8s.yaml" with { type: "text" };
import podman from "./podman.yaml" with { type: "text" };
import podmanRootful from "./podman-rootful.yaml" with { type: "text" };
import ubuntu from "./ubuntu.yaml" with { type: "text" };
import ubuntu2204 from "./ubuntu-22.04.yaml" with { type: "text" };
import ubuntu2404 from "./ubuntu-24.04.yaml" with { type: "text" };
import ubuntu2510 from "./ubuntu-25.10.yaml" with { type: "text" };
import ubuntu2604 from "./ubuntu-26.04.yaml" with { type: "text" };
import ubuntuLts from "./ubuntu-lts.yaml" with { type: "text" };

export const builtinTemplates: Readonly<Record<string, string>> = {
  "_default/mounts": _defaultMounts,
  "_images/alpine-3.23": _imagesAlpine323,
  "_images/archlinux": _imagesArchlinux,
  "_images/debian": _imagesDebian,
  "_images/debian-11": _imagesDebian11,
  "_images/debian-12": _imagesDebian12,
  "_images/debian-13": _imagesDebian13,
  "_images/fedora": _imagesFedora,
  "_images/fedora-43": _imagesFedora43,
  "_images/fedora-44": _imagesFedora44,
  "_images/ubuntu": _imagesUbuntu,
  "_images/ubuntu-22.04": _imagesUbuntu2204,
  "_images/ubuntu-24.04": _imagesUbuntu2404,
  "_images/ubuntu-25.10": _imagesUbuntu2510,
  "_images/ubuntu-26.04": _imagesUbuntu2604,
  "_images/ubuntu-lts": _imagesUbuntuLts,
  "alpine": alpine,
  "alpine-3.23": alpine323,
  "archlinux": archlinux,
  "debian": debian,
  "debian-11": debian11,
  "debian-12": debian12,
  "debian-13": debian13,
  "default": defaultTemplate,
  "docker": docker,
  "docker-debian": dockerDebian,
  "docker-rootful": dockerRootful,
  "experimental/debian-sid": experimentalDebianSid,
  "experimental/ubuntu-26.10": experimentalUbuntu2610,
  "experimental/ubuntu-next": experimentalUbuntuNext,
  "fedora": fedora,
  "fedora-43": fedora43,
  "fedora-44": fedora44,
  "k3s": k3s,
  "k8s": k8s,
  "podman": podman,
  "podman-rootful": podmanRootful,
  "ubuntu": ubuntu,
  "ubuntu-22.04": ubuntu2204,
  "ubuntu-24.04": ubuntu2404,
  "ubuntu-25.10": ubuntu2510,
  "ubuntu-26.04": ubuntu2604,
  "ubuntu-lts": ubuntuLts,
};
