#!/bin/sh
# Sockets forwarded from the host (the SSH agent) are linked here, readable by the user only.
set -eu
mkdir -p /run/host-services
chown "$LIMA_CIDATA_USER" /run/host-services
chmod 0700 /run/host-services
