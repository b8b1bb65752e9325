import assert from "node:assert/strict";
import { qemuCommandLine, type QemuPlan } from "./cmdline.ts";

const base: QemuPlan = {
  name: "default",
  dir: "/L/default",
  config: { cpus: 4, memory: "4GiB", mountType: "9p", mounts: [] },
  arch: "x86_64",
  hostOS: "linux",
  accel: "kvm",
  cpuType: "host",
  firmware: "/usr/share/OVMF/OVMF_CODE.fd",
  files: { iso: false, kernel: false, initrd: false, cidata: true },
  sshLocalPort: 60022,
  macAddress: "52:55:55:aa:bb:cc",
  additionalDisks: [],
};

Deno.test("x86_64 with KVM: every item in Lima's order", () => {
  const { args, warnings } = qemuCommandLine(base);
  assert.deepEqual(warnings, []);
  assert.deepEqual(args, [
    "-m",
    "4096",
    "-cpu",
    "host",
    "-machine",
    "q35,accel=kvm",
    "-smp",
    "4,sockets=1,cores=4,threads=1",
    "-drive",
    "if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd",
    "-device",
    "qemu-xhci,id=usb-bus",
    "-drive",
    "file=/L/default/disk,if=none,discard=on,id=boot-disk",
    "-device",
    "virtio-blk-pci,drive=boot-disk,bootindex=1",
    "-boot",
    "order=c,splash-time=0,menu=on",
    "-drive",
    "id=cdrom0,if=none,format=raw,readonly=on,file=/L/default/cidata.iso",
    "-device",
    "virtio-scsi,id=scsi0",
    "-device",
    "scsi-cd,bus=scsi0.0,drive=cdrom0",
    "-netdev",
    "user,id=net0,net=192.168.5.0/24,dhcpstart=192.168.5.15,hostfwd=tcp:127.0.0.1:60022-:22",
    "-device",
    "virtio-net-pci,netdev=net0,mac=52:55:55:aa:bb:cc",
    "-device",
    "virtio-rng-pci",
    "-audiodev",
    "none,id=snd0",
    "-display",
    "none",
    "-vga",
    "none",
    "-parallel",
    "none",
    "-chardev",
    "socket,id=char-serial,path=/L/default/serial.sock,server=on,wait=off,logfile=/L/default/serial.log",
    "-serial",
    "chardev:char-serial",
    "-chardev",
    "socket,id=char-serial-virtio,path=/L/default/serialv.sock,server=on,wait=off,logfile=/L/default/serialv.log",
    "-device",
    "virtio-serial-pci,id=virtio-serial0,max_ports=1",
    "-device",
    "virtconsole,chardev=char-serial-virtio,id=console0",
    "-chardev",
    "socket,id=char-qmp,path=/L/default/qmp.sock,server=on,wait=off",
    "-qmp",
    "chardev:char-qmp",
    "-chardev",
    "socket,path=/L/default/ga.sock,server=on,wait=off,id=qga0",
    "-device",
    "virtio-serial",
    "-device",
    "virtserialport,chardev=qga0,name=io.lima-vm.guest_agent.0",
    "-chardev",
    "socket,path=/L/default/tunnel.sock,server=on,wait=off,id=tunnel0",
    "-device",
    "virtserialport,chardev=tunnel0,name=io.lima-vm.tunnel.0",
    "-name",
    "lima-default",
    "-pidfile",
    "/L/default/qemu.pid",
  ]);
});

Deno.test("TCG gets a 128 MiB translation cache and q35 without vmport or S3/S4", () => {
  const { args } = qemuCommandLine({ ...base, accel: "tcg", cpuType: "max" });
  const at = args.indexOf("-machine");
  assert.deepEqual(args.slice(at, at + 8), [
    "-machine",
    "q35,vmport=off",
    "-accel",
    "tcg,thread=multi,tb-size=128",
    "-global",
    "ICH9-LPC.disable_s3=1",
    "-global",
    "ICH9-LPC.disable_s4=1",
  ]);
});

Deno.test("machine type per arch", () => {
  const machine = (arch: QemuPlan["arch"]) => {
    const { args } = qemuCommandLine({ ...base, arch, accel: "kvm" });
    return args[args.indexOf("-machine") + 1];
  };
  assert.equal(machine("aarch64"), "virt,accel=kvm");
  assert.equal(machine("armv7l"), "virt,accel=kvm");
  assert.equal(machine("riscv64"), "virt,acpi=off,accel=kvm");
  assert.equal(machine("ppc64le"), "pseries,accel=kvm");
  assert.equal(machine("s390x"), "s390-ccw-virtio,accel=kvm");
});

Deno.test("aarch64 adds the PCI serial console; s390x uses ccw devices", () => {
  const arm = qemuCommandLine({ ...base, arch: "aarch64" }).args;
  assert.ok(arm.includes("pci-serial,chardev=char-serial-pci"));
  const s390 = qemuCommandLine({ ...base, arch: "s390x" }).args;
  assert.ok(s390.includes("virtio-blk-ccw,drive=boot-disk,bootindex=1"));
  assert.ok(s390.includes("virtio-net-ccw,netdev=net0,mac=52:55:55:aa:bb:cc"));
  assert.ok(s390.includes("virtio-serial-pci,id=virtio-serial0,max_ports=2"));
});

Deno.test("ISO boot, kernel, additional disks", () => {
  const { args } = qemuCommandLine({
    ...base,
    files: { iso: true, kernel: true, initrd: true, cidata: false },
    kernelCmdline: "console=ttyS0 root=/dev/vda",
    additionalDisks: ["/L/_disks/data/datadisk"],
  });
  const from = args.indexOf("qemu-xhci,id=usb-bus") + 1;
  assert.deepEqual(args.slice(from, args.indexOf("-netdev")), [
    "-drive",
    "file=/L/default/disk,if=virtio,discard=on",
    "-boot",
    "order=d,splash-time=0,menu=on",
    "-drive",
    "file=/L/default/iso,format=raw,media=cdrom,readonly=on",
    "-drive",
    "file=/L/_disks/data/datadisk,if=virtio,discard=on",
    "-kernel",
    "/L/default/kernel",
    "-append",
    "console=ttyS0 root=/dev/vda",
    "-initrd",
    "/L/default/initrd",
  ]);
});

Deno.test("the fast path under TCG keeps kvm modules and crypto self-tests out", () => {
  const append = (accel: "tcg" | "kvm", kernelCmdline: string) => {
    const { args } = qemuCommandLine({
      ...base,
      accel,
      files: { iso: false, kernel: true, initrd: false, cidata: true },
      kernelCmdline,
    });
    return args[args.indexOf("-append") + 1];
  };
  const fast = "root=/dev/vda console=ttyS0 cloud-init=disabled";
  assert.equal(
    append("tcg", fast),
    `${fast} modprobe.blacklist=kvm_amd,kvm_intel cryptomgr.notests=1`,
  );
  // Hardware acceleration loads them at native speed, and nested virtualisation works there.
  assert.equal(append("kvm", fast), fast);
  // The default path boots the command line as Lima does.
  assert.equal(
    append("tcg", "root=/dev/vda console=ttyS0"),
    "root=/dev/vda console=ttyS0",
  );
});

Deno.test("9p mounts: one -virtfs each, read-only unless writable", () => {
  const { args } = qemuCommandLine({
    ...base,
    config: {
      ...base.config,
      mounts: [
        { location: "/home/me", mountPoint: "/home/me" },
        {
          location: "/tmp/lima",
          writable: true,
          "9p": { securityModel: "mapped-xattr" },
        },
      ],
    },
  });
  const virtfs = args.flatMap((a, i) => (a === "-virtfs" ? [args[i + 1]] : []));
  assert.equal(virtfs.length, 2);
  assert.match(
    virtfs[0],
    /^local,mount_tag=lima-[0-9a-f]{16},path=\/home\/me,security_model=none,readonly=on$/,
  );
  assert.match(
    virtfs[1],
    /^local,mount_tag=lima-[0-9a-f]{16},path=\/tmp\/lima,security_model=mapped-xattr$/,
  );
  assert.ok(
    args.indexOf("-virtfs") > args.indexOf("-serial") &&
      args.indexOf("-virtfs") < args.indexOf("-qmp"),
  );
});

Deno.test("virtiofs mounts share memory and use vhost-user sockets", () => {
  const { args } = qemuCommandLine({
    ...base,
    config: {
      ...base.config,
      mountType: "virtiofs",
      mounts: [{ location: "/srv", virtiofs: { queueSize: 512 } }],
    },
  });
  assert.deepEqual(args.slice(2, 6), [
    "-object",
    `memory-backend-file,id=virtiofs-shm,size=${
      4096 * 1024 * 1024
    },mem-path=/dev/shm,share=on`,
    "-numa",
    "node,memdev=virtiofs-shm",
  ]);
  assert.ok(
    args.includes("socket,id=char-virtiofs-0,path=/L/default/virtiofsd-0.sock"),
  );
  assert.ok(
    args.some((a) =>
      /^vhost-user-fs-pci,queue-size=512,chardev=char-virtiofs-0,tag=lima-[0-9a-f]{16}$/
        .test(a)
    ),
  );
});

Deno.test("VNC display gets a password and a tablet", () => {
  const { args } = qemuCommandLine({
    ...base,
    config: {
      ...base.config,
      video: { display: "vnc", vnc: { display: "127.0.0.1:0,to=9" } },
    },
  });
  const at = args.indexOf("-display");
  assert.deepEqual(args.slice(at, at + 8), [
    "-display",
    "vnc=127.0.0.1:0,to=9,password=on",
    "-device",
    "virtio-vga",
    "-device",
    "virtio-keyboard-pci",
    "-device",
    "virtio-tablet-pci",
  ]);
});

Deno.test("user-supplied QEMU_SYSTEM_* arguments win over conflicting ones, with a warning", () => {
  const { args, warnings } = qemuCommandLine({
    ...base,
    extraArgs: ["-m", "1024", "-accel", "tcg"],
  });
  assert.deepEqual(args.slice(0, 4), ["-m", "1024", "-accel", "tcg"]);
  assert.equal(args.filter((a) => a === "-m").length, 1);
  assert.deepEqual(warnings, [
    `Not adding QEMU argument "-m 4096", as it conflicts with "-m 1024 -accel tcg"`,
  ]);
});

Deno.test("the guest agent gets a virtio port on every host", () => {
  const { args } = qemuCommandLine({ ...base, hostOS: "linux" });
  assert.ok(
    args.includes("virtserialport,chardev=qga0,name=io.lima-vm.guest_agent.0"),
  );
});

Deno.test("TPM attaches the swtpm socket with the arch's device", () => {
  const x86 =
    qemuCommandLine({ ...base, config: { ...base.config, tpm: true } }).args;
  assert.ok(x86.includes("tpm-crb,tpmdev=tpm0"));
  const arm = qemuCommandLine({
    ...base,
    arch: "aarch64",
    config: { ...base.config, tpm: true },
  }).args;
  assert.ok(arm.includes("tpm-tis-device,tpmdev=tpm0"));
});

Deno.test("a user-v2 network replaces the user-mode NIC 0 and further ones get net<index+1>", () => {
  const { args } = qemuCommandLine({
    ...base,
    networks: [
      {
        index: 0,
        kind: "user-v2",
        socketPath: "/L/_networks/user-v2/user-v2_qemu.sock",
        macAddress: "52:55:55:aa:bb:cc",
        nic0: true,
      },
      {
        index: 2,
        kind: "user-v2",
        socketPath: "/L/_networks/lab/lab_qemu.sock",
        macAddress: "52:55:55:12:34:56",
        nic0: false,
      },
    ],
  });
  const at = args.indexOf("-netdev");
  assert.deepEqual(args.slice(at, at + 8), [
    "-netdev",
    "stream,id=net0,server=off,addr.type=unix,addr.path=/L/_networks/user-v2/user-v2_qemu.sock",
    "-device",
    "virtio-net-pci,netdev=net0,mac=52:55:55:aa:bb:cc",
    "-netdev",
    "stream,id=net3,server=off,addr.type=unix,addr.path=/L/_networks/lab/lab_qemu.sock",
    "-device",
    "virtio-net-pci,netdev=net3,mac=52:55:55:12:34:56",
  ]);
  assert.equal(args.filter((a) => a.includes("hostfwd")).length, 0);
  assert.equal(args[at + 8], "-device");
  assert.equal(args[at + 9], "virtio-rng-pci");
});

Deno.test("socket networks follow the user-mode NIC as stream netdevs named by their index", () => {
  const { args } = qemuCommandLine({
    ...base,
    networks: [
      {
        index: 0,
        kind: "socket",
        socketPath: "/var/run/socket_vmnet",
        macAddress: "52:55:55:00:00:01",
        nic0: false,
      },
      {
        index: 2,
        kind: "socket",
        socketPath: "/tmp/a,b.sock",
        macAddress: "52:55:55:00:00:03",
        nic0: false,
      },
    ],
  });
  const from = args.indexOf(
    "virtio-net-pci,netdev=net0,mac=52:55:55:aa:bb:cc",
  );
  assert.equal(args[from - 3], "-netdev");
  assert.match(args[from - 2], /^user,id=net0,/);
  assert.deepEqual(args.slice(from + 1, from + 9), [
    "-netdev",
    "stream,id=net1,server=off,addr.type=unix,addr.path=/var/run/socket_vmnet",
    "-device",
    "virtio-net-pci,netdev=net1,mac=52:55:55:00:00:01",
    "-netdev",
    "stream,id=net3,server=off,addr.type=unix,addr.path=/tmp/a,,b.sock",
    "-device",
    "virtio-net-pci,netdev=net3,mac=52:55:55:00:00:03",
  ]);
  assert.deepEqual(args.slice(from + 9, from + 11), [
    "-device",
    "virtio-rng-pci",
  ]);
});

Deno.test("a socket network reconnects where QEMU can (reconnect=1 from 8.0, reconnect-ms from 9.2)", () => {
  const netdev = (qemuVersion: string) => {
    const { args } = qemuCommandLine({
      ...base,
      qemuVersion,
      networks: [{
        index: 0,
        kind: "socket",
        socketPath: "/s",
        macAddress: "52:55:55:00:00:01",
        nic0: false,
      }],
    });
    return args[args.indexOf("-netdev", args.indexOf("-netdev") + 1) + 1];
  };
  const plain = "stream,id=net1,server=off,addr.type=unix,addr.path=/s";
  assert.equal(netdev("7.2.0"), plain);
  assert.equal(netdev("8.2.2"), `${plain},reconnect=1`);
  assert.equal(netdev("9.2.0"), `${plain},reconnect-ms=500`);
});
